// A close larger than the venue's largest market order (Binance MARKET_LOT_SIZE.maxQty, Gate.io
// order_size_max) goes out as several orders, each under its own deterministic id, and is recorded
// and recovered as one stage. The real node, LMDB in a temp dir, the simulator refusing what is
// above max_qty as the exchanges do.
#include <catch2/catch.hpp>

#include "../support/resends.hpp"
#include "../support/temp_dir.hpp"
#include "core/client_order_id.hpp"
#include "node_harness.hpp"

using namespace ptp;
using core::OrderKind;
using core::Price;
using core::Qty;
using core::Side;
using test::kEth;
using test::NodeHarness;

namespace {

const core::PositionKey kKey = test::kEthKey;

// The ETH long (1.5 @ 2000, stop 1950) on an ETH whose market orders stop at 0.2: stage 1's close of
// 0.5 is three orders, 0.2 + 0.2 + 0.1.
config::Config capped_config() {
  auto cfg = test::node_config("execute", test::kEthLong);
  for (auto& in : cfg.sim->instruments)
    if (in.symbol == kEth) in.filters.max_qty = Qty::parse("0.2");
  return cfg;
}

std::string piece_id(std::uint32_t piece) {
  return core::stage_order_id(kKey, core::StageId{1}, 0, core::OrderStep::close, piece);
}

// The closes the exchange accepted, in order: (client id, quantity).
std::vector<std::pair<std::string, std::string>> closes(const exchange::SimExchange& sim) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& o : sim.order_log())
    if (o.kind == OrderKind::market_close) out.emplace_back(o.ref.client_id, o.qty.str());
  return out;
}

struct CappedEthLong {
  test::TempDir dir;
  config::Config cfg = capped_config();
  std::shared_ptr<exchange::SimExchange> sim = std::make_shared<exchange::SimExchange>(*cfg.sim);

  CappedEthLong() {
    NodeHarness first{cfg, sim, dir.path()};
    REQUIRE(first.reconcile().adopted == 1);
  }
};

std::optional<storage::StageRecord> stage_one(NodeHarness& n) {
  for (const auto& s : n.store().stages(kKey))
    if (s.stage == core::StageId{1}) return s;
  return std::nullopt;
}

}  // namespace

TEST_CASE("a close above the venue's max_qty goes out as pieces and is one stage", "[split]") {
  CappedEthLong c;
  // The simulator refuses one order of the whole close, as Binance does (-4005).
  CHECK_THROWS_WITH(c.sim->close_market(kEth, Side::long_, Qty::parse("0.5"), "probe"),
                    Catch::Contains("greater than max quantity"));
  NodeHarness n{c.cfg, c.sim, c.dir.path()};
  n.reconcile();
  n.tick("ETH", "2050");
  n.settle();
  using Close = std::pair<std::string, std::string>;
  CHECK(closes(*c.sim) == std::vector<Close>{{piece_id(0), "0.2"}, {piece_id(1), "0.2"}, {piece_id(2), "0.1"}});
  const auto rec = stage_one(n);
  REQUIRE(rec);
  CHECK(rec->state == storage::StageState::done);
  CHECK(rec->planned_qty.str() == "0.5");
  CHECK(rec->closed_qty.str() == "0.5");
  CHECK(rec->close_client_id == piece_id(0));
  CHECK(c.sim->position(kEth, Side::long_)->size.str() == "1");
  // Every caller asking again: nothing more is sold.
  CHECK(n.execute("ETH", Side::long_, core::Caller::health_check, std::nullopt, "2055").outcome.kind ==
        core::OutcomeKind::recently_executed);
  n.tick("ETH", "2060");
  n.settle();
  CHECK(closes(*c.sim).size() == 3);
  CHECK(test::resends(*c.sim).empty());
}

TEST_CASE("killed between the pieces of a split close: the restart sends only the pieces that never left",
          "[split][recovery]") {
  CappedEthLong c;
  // Stage 1's intent as the dead run wrote it, and its first piece, sent and filled before the kill.
  const storage::StageRecord intent = test::eth_stage1_intent(kKey);
  REQUIRE(intent.close_client_id == piece_id(0));
  {
    storage::HistoryStore store(c.dir.path());
    REQUIRE(store.begin_stage(intent).result == storage::HistoryStore::BeginResult::started);
  }
  c.sim->set_mark(kEth, Price::parse("2050"));
  c.sim->close_market(kEth, Side::long_, Qty::parse("0.2"), piece_id(0));

  NodeHarness n{c.cfg, c.sim, c.dir.path()};
  CHECK(n.reconcile().resumed == 1);
  n.settle();
  using Close = std::pair<std::string, std::string>;
  CHECK(closes(*c.sim) == std::vector<Close>{{piece_id(0), "0.2"}, {piece_id(1), "0.2"}, {piece_id(2), "0.1"}});
  CHECK(c.sim->placements(piece_id(0)) == 1);  // asked about, not sent again
  const auto rec = stage_one(n);
  REQUIRE(rec);
  CHECK(rec->state == storage::StageState::done);
  CHECK(rec->closed_qty.str() == "0.5");
  CHECK(c.sim->position(kEth, Side::long_)->size.str() == "1");
  n.tick("ETH", "2060");
  n.settle();
  CHECK(closes(*c.sim).size() == 3);
  CHECK(test::resends(*c.sim).empty());
}
