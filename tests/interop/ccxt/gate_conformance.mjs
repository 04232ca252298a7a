// Drives ptp-sim's Gate.io USDT-futures face with ccxt's `gate` class, unmodified: a client nobody
// on this project wrote is the judge of whether the simulator answers like Gate. Started by
// tests/interop/ccxt_gate_test.cpp, which serves the simulator on 127.0.0.1 and checks the
// exchange's own records afterwards.
//
//   node gate_conformance.mjs PORT
//
// The account (single mode): ETH_USDT contracts of 0.01 ETH (at most 10000 an order), long 150
// contracts (1.5 ETH) @ 2000 with the user's stop at 1950, the mark at 2100; BTC_USDT contracts of
// 0.001 BTC at 60000 with no position. One JSON line per check on stdout; exit code 1 if any failed.
//
// Only what a USDT-perpetual trading client calls: ccxt is told the account is not a unified one
// (no /account/detail), to list swap markets settled in USDT only (no spot, margin, delivery or
// options listings) and not to fetch the spot currency list.
import ccxt from 'ccxt';

import { check, expect, expectError, finish, near, withTimeout } from './checks.mjs';

const port = process.argv[2];
if (!port) {
    console.error('usage: node gate_conformance.mjs PORT');
    process.exit(2);
}
const ETH = 'ETH/USDT:USDT';
const BTC = 'BTC/USDT:USDT';
const KEY = 'ptp-sim-api-key';
const SECRET = 'ptp-sim-api-secret';
const USER = '10001';  // the face's user id: the private channels' first payload entry

// Every REST address ccxt knows is Gate's one base (https://api.gateio.ws/api/v4), and the USDT
// perpetuals' websocket is wss://fx-ws.gateio.ws/v4/ws/usdt: both moved to the loopback server,
// paths kept.
function pointToLoopback (ex) {
    const rest = 'http://127.0.0.1:' + port;
    const ws = 'ws://127.0.0.1:' + port;
    const api = ex.urls['api'];
    for (const access of [ 'public', 'private' ]) {
        for (const k of Object.keys (api[access])) api[access][k] = api[access][k].replace (/^https?:\/\/[^/]+/, rest);
    }
    api['swap']['usdt'] = api['swap']['usdt'].replace (/^wss?:\/\/[^/]+/, ws);
    return ex;
}

function client (apiKey, secret) {
    return pointToLoopback (new ccxt.pro.gate ({
        apiKey,
        secret,
        uid: USER,
        has: { fetchCurrencies: false },  // GET /spot/currencies: not a futures endpoint
        options: {
            defaultType: 'swap',
            unifiedAccount: false,  // known: no GET /account/detail to find out
            fetchMarkets: { types: [ 'swap' ] },
            swap: { fetchMarkets: { settlementCurrencies: [ 'usdt' ] } },
        },
    }));
}

const ex = client (KEY, SECRET);
await ex.loadHttpProxyAgent ();  // ccxt needs it for plain ws:// addresses

await check ('loadMarkets: the USDT perpetuals only', async () => {
    const markets = await ex.loadMarkets ();
    expect (JSON.stringify (Object.keys (markets).sort ()) === JSON.stringify ([ BTC, ETH ]), 'ETH and BTC, got ' + Object.keys (markets));
    const eth = markets[ETH];
    expect (eth.id === 'ETH_USDT' && eth.swap && eth.linear && eth.settle === 'USDT' && eth.active, 'an active linear USDT perpetual');
    expect (eth.contractSize === 0.01 && eth.precision.amount === 1 && eth.precision.price === 0.01, 'contracts of 0.01, tick 0.01');
    expect (eth.limits.amount.min === 1 && eth.limits.amount.max === 10000, 'order sizes 1..10000 contracts');
    expect (markets[BTC].contractSize === 0.001 && markets[BTC].precision.price === 0.1, 'BTC contracts of 0.001, tick 0.1');
    return { eth: { contractSize: eth.contractSize, limits: eth.limits.amount }, btc: markets[BTC].contractSize };
});

await check ('fetchTime', async () => {
    const t = await ex.fetchTime ();
    expect (Math.abs (t - Date.now ()) < 10000, 'the server time within 10 s of ours, got ' + t);
    return t;
});

await check ('fetchTicker: last and mark', async () => {
    const t = await ex.fetchTicker (ETH);
    expect (t.symbol === ETH && t.last === 2100 && t.markPrice === 2100 && t.indexPrice === 2100, 'ETH last, mark and index 2100');
    const btc = await ex.fetchTicker (BTC);
    expect (btc.last === 60000, 'BTC 60000');
    return { last: t.last, markPrice: t.markPrice };
});

await check ('fetchPositions: a single-mode long in contracts', async () => {
    const positions = await ex.fetchPositions ([ ETH ]);
    const eth = positions.filter ((p) => p.symbol === ETH);
    expect (eth.length === 1, 'one ETH position, got ' + JSON.stringify (positions.map ((p) => p.symbol)));
    const p = eth[0];
    expect (p.side === 'long' && p.contracts === 150 && p.contractSize === 0.01 && p.entryPrice === 2000, 'long 150 contracts of 0.01 @ 2000');
    expect (p.markPrice === 2100 && p.notional === 3150 && p.unrealizedPnl === 150, 'mark 2100, notional 3150 (1.5 ETH), uPnL 150');
    expect (p.info.mode === 'single' && p.leverage === 10 && p.initialMargin === 315, 'single mode, 10x: margin 315');
    return { side: p.side, contracts: p.contracts, notional: p.notional, unrealizedPnl: p.unrealizedPnl };
});

await check ('fetchBalance: the USDT futures account', async () => {
    const b = await ex.fetchBalance ();
    // 10000 deposited, nothing booked yet (Gate's total leaves the unrealised profit out);
    // available = total + unrealised 150 - position margin 315
    expect (b.USDT && b.USDT.total === 10000 && b.USDT.free === 9835, 'USDT total 10000, available 9835, got ' + JSON.stringify (b.USDT));
    expect (b.info[0] && b.info[0].in_dual_mode === false, "the futures account's in_dual_mode false");
    return b.USDT;
});

let closeId;
await check ('createOrder: a reduce-only market close with a client id sends t-...', async () => {
    const o = await ex.createOrder (ETH, 'market', 'sell', 50, undefined, { reduceOnly: true, clientOrderId: 'cc-close-1' });
    expect (o.info.text === 't-cc-close-1' && o.clientOrderId === 't-cc-close-1', "ccxt's t- prefix on the text, got " + o.info.text);
    expect (o.status === 'closed' && o.filled === 50 && o.remaining === 0 && o.average === 2100, 'filled 50 contracts @ 2100');
    expect (o.type === 'market' && o.side === 'sell' && o.reduceOnly === true && o.amount === 50, 'a reduce-only market sell of 50');
    expect (o.timestamp > 0 && o.lastTradeTimestamp >= o.timestamp, 'its creation and finish times');
    closeId = o.id;
    return { id: o.id, status: o.status, filled: o.filled, average: o.average };
});

await check ('fetchOrder by id and by client id', async () => {
    const byId = await ex.fetchOrder (closeId, ETH);
    const byText = await ex.fetchOrder (undefined, ETH, { clientOrderId: 'cc-close-1' });
    for (const o of [ byId, byText ]) {
        expect (o.id === closeId && o.clientOrderId === 't-cc-close-1' && o.status === 'closed' && o.filled === 50, 'the close');
    }
    return { id: byId.id, status: byId.status };
});

await check ('fetchOpenOrders and fetchClosedOrders for the contract', async () => {
    const open = await ex.fetchOpenOrders (ETH);
    expect (open.length === 0, 'no resting orders (market orders fill), got ' + open.length);
    const closed = await ex.fetchClosedOrders (ETH);
    expect (closed.length === 1 && closed[0].id === closeId && closed[0].status === 'closed', 'the close, got ' + JSON.stringify (closed.map ((o) => o.id)));
    const none = await ex.fetchClosedOrders (BTC);
    expect (none.length === 0, 'the contract filter: none on BTC');
    return closed.map ((o) => o.id + ':' + o.status);
});

await check ('cancelOrder on a filled order: ORDER_FINISHED', async () =>
    expectError (ccxt.ExchangeError, () => ex.cancelOrder (closeId, ETH), 'ORDER_FINISHED'));

let stopId, tpId, triggerId;
await check ('createOrder: stopLossPrice on a swap is a price-triggered order (rule 2 for a sell)', async () => {
    const o = await ex.createOrder (ETH, 'market', 'sell', 40, undefined, { stopLossPrice: 1900, reduceOnly: true });
    expect (o.id !== undefined, 'its id');
    stopId = o.id;
    const fetched = await ex.fetchOrder (stopId, ETH, { trigger: true });
    expect (fetched.status === 'open' && fetched.triggerPrice === 1900 && fetched.amount === 40 && fetched.side === 'sell', 'an open stop selling 40 at 1900');
    expect (fetched.info.trigger.rule === 2 && fetched.reduceOnly === true, 'rule 2 (mark <= trigger), reduce-only');
    return { id: stopId, triggerPrice: fetched.triggerPrice, rule: fetched.info.trigger.rule };
});

await check ('createOrder: takeProfitPrice (rule 1 for a sell)', async () => {
    const o = await ex.createOrder (ETH, 'market', 'sell', 30, undefined, { takeProfitPrice: 2500, reduceOnly: true });
    tpId = o.id;
    const fetched = await ex.fetchOrder (tpId, ETH, { trigger: true });
    expect (fetched.status === 'open' && fetched.triggerPrice === 2500 && fetched.info.trigger.rule === 1, 'an open take-profit at 2500, rule 1');
    return { id: tpId, triggerPrice: fetched.triggerPrice };
});

await check ('createOrder: triggerPrice (a stop: rule 2 for a sell)', async () => {
    const o = await ex.createOrder (ETH, 'market', 'sell', 20, undefined, { triggerPrice: 1800, reduceOnly: true });
    triggerId = o.id;
    const fetched = await ex.fetchOrder (triggerId, ETH, { trigger: true });
    expect (fetched.status === 'open' && fetched.triggerPrice === 1800 && fetched.info.trigger.rule === 2, 'an open stop at 1800, rule 2');
    return { id: triggerId, triggerPrice: fetched.triggerPrice };
});

await check ('createOrder: a trigger on the wrong side of the price is refused', async () =>
    expectError (ccxt.BadRequest, () => ex.createOrder (ETH, 'market', 'sell', 10, undefined, { stopLossPrice: 2200, reduceOnly: true }),
        'INVALID_PARAM_VALUE'));

await check ('fetchOpenOrders: trigger orders', async () => {
    const open = await ex.fetchOpenOrders (ETH, undefined, undefined, { trigger: true });
    const prices = open.map ((o) => o.triggerPrice).sort ((a, b) => a - b);
    expect (JSON.stringify (prices) === JSON.stringify ([ 1800, 1900, 1950, 2500 ]), "ours and the user's stop, got " + prices);
    const none = await ex.fetchOpenOrders (BTC, undefined, undefined, { trigger: true });
    expect (none.length === 0, 'the contract filter: none on BTC');
    return open.map ((o) => o.id + '@' + o.triggerPrice);
});

await check ('cancelOrder twice: cancelled, then OrderNotFound', async () => {
    const cancelled = await ex.cancelOrder (tpId, ETH, { trigger: true });
    expect (cancelled.id === tpId && cancelled.status === 'canceled', 'the take-profit canceled, got ' + cancelled.status);
    const fetched = await ex.fetchOrder (tpId, ETH, { trigger: true });
    expect (fetched.status === 'canceled', 'fetched canceled, got ' + fetched.status);
    const closed = await ex.fetchClosedOrders (ETH, undefined, undefined, { trigger: true });
    expect (closed.some ((o) => o.id === tpId && o.status === 'canceled'), 'among the finished trigger orders');
    return await expectError (ccxt.OrderNotFound, () => ex.cancelOrder (tpId, ETH, { trigger: true }), 'ORDER_NOT_FOUND');
});

await check ('fetchOrder: an unknown id is OrderNotFound', async () =>
    expectError (ccxt.OrderNotFound, () => ex.fetchOrder ('999999999', ETH), 'ORDER_NOT_FOUND'));

await check ('auth errors: a wrong secret and a wrong key', async () => {
    const badSecret = client (KEY, 'not-the-secret');
    const badKey = client ('not-the-key', SECRET);
    return [
        await expectError (ccxt.AuthenticationError, () => badSecret.fetchPositions ([ ETH ]), 'INVALID_SIGNATURE'),
        await expectError (ccxt.AuthenticationError, () => badKey.fetchBalance (), 'INVALID_KEY'),
    ];
});

await check ('watchTicker over the futures websocket', async () => {
    const t = await withTimeout (ex.watchTicker (ETH), 10000, 'watchTicker');
    expect (t.symbol === ETH && t.last === 2100 && t.markPrice === 2100, 'a futures.tickers update for ETH at 2100');
    return { last: t.last, markPrice: t.markPrice };
});

await check ('watchOrders over the authenticated futures.orders channel', async () => {
    const updates = [];
    const watching = (async () => {
        while (!updates.some ((o) => o.clientOrderId === 't-cc-ws' && o.status === 'closed')) {
            updates.push (...await ex.watchOrders (ETH));
        }
    }) ();
    // Frames go to the connections subscribed at the time: the close is sent once Gate acked the
    // subscription (ccxt drops its request id from client.subscriptions on the ack).
    const url = ex.urls['api']['swap']['usdt'];
    const subscribed = () => {
        const c = ex.clients && ex.clients[url];
        if (!c || !('orders:ETH_USDT' in c.subscriptions)) return false;
        return !Object.entries (c.subscriptions).some (([ k, v ]) => v === 'orders:ETH_USDT' && k !== 'orders:ETH_USDT');
    };
    await withTimeout ((async () => {
        while (!subscribed ()) await new Promise ((resolve) => setTimeout (resolve, 20));
    }) (), 10000, 'the futures.orders subscription (signed with the secret, payload [uid, contract])');
    await ex.createOrder (ETH, 'market', 'sell', 10, undefined, { reduceOnly: true, clientOrderId: 'cc-ws' });
    await withTimeout (watching, 10000, 'a futures.orders update for t-cc-ws');
    const done = updates.find ((o) => o.clientOrderId === 't-cc-ws' && o.status === 'closed');
    // (ccxt parses websocket orders without their market: no contract size, so no cost to check)
    expect (done.symbol === ETH && done.filled === 10 && done.average === 2100 && done.reduceOnly === true && done.side === 'sell',
        'filled 10 contracts @ 2100, reduce-only');
    return updates.map ((o) => o.clientOrderId + ':' + o.status);
});

await ex.close ();
finish ();
