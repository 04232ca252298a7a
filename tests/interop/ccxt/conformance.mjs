// Drives ptp-sim's Binance USD-M face with ccxt, unmodified: a client nobody on this project wrote
// is the judge of whether the simulator answers like Binance. Started by
// tests/interop/ccxt_conformance_test.cpp, which serves the simulator on 127.0.0.1 and checks the
// exchange's own records afterwards.
//
//   node conformance.mjs PORT
//
// The account (one-way mode): ETH long 1.5 @ 2000 with the user's stop at 1950, the mark at 2100;
// BTC at 60000 with no position; MARKET_LOT_SIZE maxQty 100 on ETH. One JSON line per check on
// stdout; exit code 1 if any failed.
import ccxt from 'ccxt';

import { check, expect, expectError, finish, near, withTimeout } from './checks.mjs';

const port = process.argv[2];
if (!port) {
    console.error('usage: node conformance.mjs PORT');
    process.exit(2);
}
const ETH = 'ETH/USDT:USDT';
const BTC = 'BTC/USDT:USDT';
const KEY = 'ptp-sim-api-key';
const SECRET = 'ptp-sim-api-secret';

// Every REST and websocket address ccxt knows, moved to the loopback server (paths kept). ccxt
// builds Binance's 2026 routes (/market, /public, /private) from a websocket base ending in /ws.
function pointToLoopback (ex) {
    const rest = 'http://127.0.0.1:' + port;
    const ws = 'ws://127.0.0.1:' + port;
    const api = ex.urls['api'];
    for (const k of Object.keys (api)) {
        if (typeof api[k] === 'string') api[k] = api[k].replace (/^https?:\/\/[^/]+/, rest);
    }
    for (const k of Object.keys (api['ws'] || {})) {
        const v = api['ws'][k];
        if (typeof v === 'string') api['ws'][k] = v.replace (/^wss?:\/\/[^/]+/, ws);
        else for (const k2 of Object.keys (v)) v[k2] = v[k2].replace (/^wss?:\/\/[^/]+/, ws);
    }
    // ccxt picks Binance's futures error table by the host name (fapi.binance.com); on loopback
    // it would use the generic one, so merge the futures table back in.
    ex.exceptions['exact'] = Object.assign ({}, ex.exceptions['exact'], ex.exceptions['linear']['exact']);
    return ex;
}

function client (apiKey, secret) {
    return pointToLoopback (new ccxt.pro.binanceusdm ({
        apiKey,
        secret,
        options: {
            fetchCurrencies: false,  // no /sapi calls: the simulator is a futures venue only
            fetchOpenOrders: { 'warnWithoutSymbol': false },
        },
    }));
}

const ex = client (KEY, SECRET);
await ex.loadHttpProxyAgent ();  // ccxt needs it for plain ws:// addresses

await check ('loadMarkets', async () => {
    const markets = await ex.loadMarkets ();
    const eth = markets[ETH];
    expect (eth !== undefined, ETH + ' listed');
    expect (eth.swap && eth.linear && eth.settle === 'USDT', 'a linear USDT perpetual');
    expect (near (eth.precision.amount, 0.001) && near (eth.precision.price, 0.01), 'step 0.001, tick 0.01');
    expect (near (eth.limits.amount.min, 0.001) && near (eth.limits.market.max, 100), 'minQty 0.001, market maxQty 100');
    expect (markets[BTC] !== undefined, BTC + ' listed');
    return Object.keys (markets);
});

await check ('fetchTime', async () => {
    const t = await ex.fetchTime ();
    expect (Math.abs (t - Date.now ()) < 10000, 'the server time within 10 s of ours, got ' + t);
    return t;
});

await check ('fetchMarkPrices', async () => {
    const all = await ex.fetchMarkPrices ();
    expect (all[ETH] && all[ETH].markPrice === 2100, 'ETH mark 2100');
    expect (all[BTC] && all[BTC].markPrice === 60000, 'BTC mark 60000');
    const one = await ex.fetchMarkPrice (ETH);
    expect (one.markPrice === 2100 && one.timestamp > 0, 'fetchMarkPrice(ETH) 2100 with a time');
    return { eth: one.markPrice, btc: all[BTC].markPrice };
});

await check ('fetchTicker', async () => {
    const t = await ex.fetchTicker (ETH);
    expect (t.last === 2100 && t.high >= 2100 && t.low <= 2000, 'last 2100 within the day range');
    return { last: t.last, high: t.high, low: t.low };
});

await check ('fetchPositions: side, notional, unrealized PnL', async () => {
    const positions = await ex.fetchPositions ([ ETH ]);
    expect (positions.length === 1, 'one ETH position, got ' + positions.length);
    const p = positions[0];
    expect (p.side === 'long' && p.contracts === 1.5 && p.entryPrice === 2000, 'long 1.5 @ 2000');
    expect (p.notional === 3150 && p.unrealizedPnl === 150 && p.markPrice === 2100, 'notional 3150, uPnL 150 at 2100');
    expect (p.hedged === false && p.marginMode === 'cross', 'one-way, cross');
    return { side: p.side, contracts: p.contracts, notional: p.notional, unrealizedPnl: p.unrealizedPnl };
});

await check ('fetchBalance', async () => {
    const b = await ex.fetchBalance ();
    // wallet 10000 + unrealized 150; initial margin 3150 / 10
    expect (b.USDT && b.USDT.total === 10150 && b.USDT.used === 315 && b.USDT.free === 9835, 'USDT 10150 total, 315 used');
    return b.USDT;
});

let closeId;
await check ('createOrder: a reduce-only market close with a client id', async () => {
    const o = await ex.createOrder (ETH, 'market', 'sell', 0.5, undefined, { reduceOnly: true, clientOrderId: 'cc-close-1' });
    expect (o.status === 'closed' && o.filled === 0.5 && o.average === 2100 && o.cost === 1050, 'filled 0.5 @ 2100 for 1050');
    expect (o.clientOrderId === 'cc-close-1' && o.reduceOnly === true && o.side === 'sell', 'its client id, reduce-only, sell');
    expect (o.lastUpdateTimestamp > 0, 'an update time');
    closeId = o.id;
    return { id: o.id, status: o.status, filled: o.filled, average: o.average, cost: o.cost };
});

await check ('fetchOrder by id and by client id', async () => {
    const byId = await ex.fetchOrder (closeId, ETH);
    const byClient = await ex.fetchOrder (undefined, ETH, { clientOrderId: 'cc-close-1' });
    for (const o of [ byId, byClient ]) {
        expect (o.id === closeId && o.clientOrderId === 'cc-close-1' && o.status === 'closed' && o.filled === 0.5, 'the close');
        expect (o.timestamp > 0 && o.timestamp <= o.lastUpdateTimestamp, 'its creation time, then its update time');
    }
    return { id: byId.id, timestamp: byId.timestamp };
});

let stopId;
await check ('createOrder: a stop-loss goes to the algo endpoint', async () => {
    const o = await ex.createOrder (ETH, 'market', 'sell', 1, undefined,
        { stopLossPrice: 1900, reduceOnly: true, clientOrderId: 'cc-stop-1', workingType: 'MARK_PRICE' });
    expect (o.status === 'open' && o.triggerPrice === 1900 && o.clientOrderId === 'cc-stop-1', 'an open stop at 1900');
    stopId = o.id;
    const fetched = await ex.fetchOrder (stopId, ETH, { trigger: true });
    expect (fetched.status === 'open' && fetched.triggerPrice === 1900 && fetched.amount === 1, 'fetched by its algo id');
    expect (fetched.info.workingType === 'MARK_PRICE', 'the workingType sent, got ' + fetched.info.workingType);
    return { id: o.id, triggerPrice: o.triggerPrice };
});

await check ('duplicate client id: refused while the first order is open', async () =>
    expectError (ccxt.InvalidOrder, () => ex.createOrder (ETH, 'market', 'sell', 1, undefined,
        { stopLossPrice: 1910, reduceOnly: true, clientOrderId: 'cc-stop-1' }), '"code":-4116'));

let tpId;
await check ('createOrder: a take-profit goes to the algo endpoint', async () => {
    const o = await ex.createOrder (ETH, 'market', 'sell', 1, undefined,
        { takeProfitPrice: 2500, reduceOnly: true, clientOrderId: 'cc-tp-1' });
    expect (o.status === 'open' && o.triggerPrice === 2500, 'an open take-profit at 2500');
    expect (o.info.workingType === 'CONTRACT_PRICE', "Binance's default workingType when none is sent");
    tpId = o.id;
    return { id: o.id, triggerPrice: o.triggerPrice };
});

await check ('fetchOpenOrders: plain and conditional', async () => {
    const plain = await ex.fetchOpenOrders (ETH);
    expect (plain.length === 0, 'no resting plain orders (market orders fill), got ' + plain.length);
    const algo = await ex.fetchOpenOrders (ETH, undefined, undefined, { trigger: true });
    const ids = algo.map ((o) => o.clientOrderId).sort ();
    expect (JSON.stringify (ids) === JSON.stringify ([ 'cc-stop-1', 'cc-tp-1', 'user-stop-ETH_USDT-long' ]), 'three conditional orders, got ' + ids);
    const none = await ex.fetchOpenOrders (BTC, undefined, undefined, { trigger: true });
    expect (none.length === 0, 'the symbol filter: none on BTC');
    return ids;
});

await check ('cancelOrder', async () => {
    await ex.cancelOrder (tpId, ETH, { trigger: true });
    const o = await ex.fetchOrder (tpId, ETH, { trigger: true });
    expect (o.status === 'canceled', 'canceled, got ' + o.status);
    return await expectError (ccxt.OrderNotFound, () => ex.cancelOrder (tpId, ETH, { trigger: true }), '"code":-2011');
});

await check ('duplicate client id: a finished order\'s id makes a new order', async () => {
    const o = await ex.createOrder (ETH, 'market', 'sell', 0.1, undefined, { reduceOnly: true, clientOrderId: 'cc-close-1' });
    expect (o.id !== closeId && o.status === 'closed' && o.filled === 0.1, 'a second close under the same id');
    const latest = await ex.fetchOrder (undefined, ETH, { clientOrderId: 'cc-close-1' });
    expect (latest.id === o.id, 'the lookup by client id finds the latest');
    return { first: closeId, second: o.id };
});

await check ('createOrder: a plain market order in one-way mode adds to the position', async () => {
    const o = await ex.createOrder (ETH, 'market', 'buy', 0.2);
    expect (o.status === 'closed' && o.filled === 0.2 && o.reduceOnly === false, 'filled, not reduce-only');
    const [ p ] = await ex.fetchPositions ([ ETH ]);
    expect (near (p.contracts, 1.1), 'long 1.1 (0.9 + 0.2), got ' + p.contracts);
    expect (near (p.entryPrice, 2018.18181818), 'the averaged entry, got ' + p.entryPrice);
    return { contracts: p.contracts, entryPrice: p.entryPrice };
});

await check ('filter violation: above MARKET_LOT_SIZE.maxQty', async () =>
    expectError (ccxt.BadRequest, () => ex.createOrder (ETH, 'market', 'sell', 101, undefined, { reduceOnly: true }),
        '"code":-4005'));

await check ('auth errors: a wrong secret and a wrong key', async () => {
    const badSecret = client (KEY, 'not-the-secret');
    const badKey = client ('not-the-key', SECRET);
    return [
        await expectError (ccxt.AuthenticationError, () => badSecret.fetchBalance (), '"code":-1022'),
        await expectError (ccxt.AuthenticationError, () => badKey.fetchBalance (), '"code":-2015'),
    ];
});

await check ('an unknown path is a 404', async () =>
    expectError (ccxt.ExchangeNotAvailable, () => ex.fapiPrivateGetAdlQuantile (), ' 404 '));

await check ('watchMarkPrice over the /market websocket, then unWatch', async () => {
    const t = await withTimeout (ex.watchMarkPrice (ETH), 10000, 'watchMarkPrice');
    expect (t.symbol === ETH && t.markPrice === 2100, 'a markPriceUpdate for ETH at 2100');
    await withTimeout (ex.unWatchMarkPrice (ETH), 10000, 'unWatchMarkPrice (needs the UNSUBSCRIBE answer)');
    return { markPrice: t.markPrice, timestamp: t.timestamp };
});

await check ('watchOrders over the user-data stream', async () => {
    const updates = [];
    const watching = (async () => {
        while (!updates.some ((o) => o.clientOrderId === 'cc-close-ws' && o.status === 'closed')) {
            updates.push (...await ex.watchOrders (ETH));
        }
    }) ();
    // Frames go to the sockets open at the time: the close is sent once the user-data socket is.
    await withTimeout ((async () => {
        while (!ex.clients || Object.keys (ex.clients).every ((url) => !url.includes ('/private/ws'))) {
            await new Promise ((resolve) => setTimeout (resolve, 20));
        }
        const url = Object.keys (ex.clients).find ((u) => u.includes ('/private/ws'));
        await ex.clients[url].connected;
    }) (), 10000, 'the user-data socket');
    await ex.createOrder (ETH, 'market', 'sell', 0.1, undefined, { reduceOnly: true, clientOrderId: 'cc-close-ws' });
    await withTimeout (watching, 10000, 'an ORDER_TRADE_UPDATE for cc-close-ws');
    const done = updates.find ((o) => o.clientOrderId === 'cc-close-ws' && o.status === 'closed');
    expect (done.filled === 0.1 && done.average === 2100 && done.reduceOnly === true, 'filled 0.1 @ 2100');
    return updates.map ((o) => o.clientOrderId + ':' + o.status);
});

await ex.close ();
finish ();
