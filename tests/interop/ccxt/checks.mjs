// What both conformance scripts check with: one JSON line per check on stdout, the failures counted
// for the exit code, and the small assertions they make.

let failures = 0;

export async function check (name, fn) {
    try {
        const detail = await fn ();
        console.log (JSON.stringify ({ check: name, ok: true, detail }));
    } catch (e) {
        failures += 1;
        console.log (JSON.stringify ({ check: name, ok: false, error: String ((e && e.stack) || e) }));
    }
}

export function expect (condition, what) {
    if (!condition) throw new Error ('expected ' + what);
}

export function near (a, b) {
    return Math.abs (a - b) < 1e-9;
}

// The error ccxt raises, of class `cls`, with `text` in its message (ccxt maps several of an
// exchange's codes, and several HTTP statuses, to one class: the code, label or status tells them
// apart).
export async function expectError (cls, fn, text = '') {
    try {
        await fn ();
    } catch (e) {
        if (e instanceof cls && e.message.includes (text)) return e.constructor.name + ': ' + e.message;
        throw new Error ('expected ' + cls.name + ' with "' + text + '", got ' + e.constructor.name + ': ' + e.message);
    }
    throw new Error ('expected ' + cls.name + ', got a success');
}

export function withTimeout (promise, ms, what) {
    let timer;
    const timeout = new Promise ((_, reject) => { timer = setTimeout (() => reject (new Error ('timed out: ' + what)), ms); });
    return Promise.race ([ promise, timeout ]).finally (() => clearTimeout (timer));
}

// The last line: the count, and the exit code (1 if any check failed).
export function finish () {
    console.log (JSON.stringify ({ done: true, failures }));
    process.exit (failures === 0 ? 0 : 1);
}
