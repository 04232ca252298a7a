// Start-up with more positions than one load batch: the registry loads what it does not run yet in
// batches (one filters request, one storage read each); every stored position resumes once with
// its own stages, every new one is adopted (its record written).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "../support/temp_dir.hpp"
#include "node_harness.hpp"

using namespace ptp;

namespace {

constexpr int kStored = 1'100;  // more than ReconcileJob::kBatch (1 024): two batches
constexpr int kNew = 5;

std::string symbol_name(int i) { return fmt::format("S{:04}", i); }

config::Config many_positions() {
  std::string symbols, sim;
  for (int i = 0; i < kStored + kNew; ++i) {
    symbols += fmt::format("{}\"{}\"", i ? ", " : "", symbol_name(i));
    sim += fmt::format("[[sim.instrument]]\nsymbol = \"{0}\"\ntick_size = \"0.01\"\nstep_size = \"0.001\"\n"
                       "start_price = \"100\"\n[[sim.position]]\nsymbol = \"{0}\"\nside = \"long\"\nentry = \"100\"\n"
                       "size = \"1\"\nstop = \"99\"\n",
                       symbol_name(i));
  }
  return config::parse_config(fmt::format("[node]\nexchange = \"sim\"\naccount = \"t\"\nmode = \"observe\"\n"
                                          "storage_path = \"unused\"\nsymbols = [{}]\n[sim]\nseed = 1\n{}",
                                          symbols, sim),
                              "many.toml");
}

core::PositionKey key_of(int i) {
  return core::PositionKey{core::Exchange::sim, "t", core::Symbol::parse(symbol_name(i)), core::Side::long_, 1};
}

}  // namespace

TEST_CASE("a restart with more positions than one load batch resumes each stored one once with its stages",
          "[actors]") {
  test::TempDir dir;
  const auto cfg = many_positions();
  auto sim = std::make_shared<exchange::SimExchange>(*cfg.sim);
  const auto filters = sim->filters(core::Symbol::parse(symbol_name(0)));
  std::vector<storage::PositionRecord> records;
  for (int i = 0; i < kStored; ++i) {
    // An initial stop the exchange does not show (98, not 99): a resumed position keeps the stored one.
    auto a = core::adopt(key_of(i), core::Price::parse("100"), core::Qty::parse("1"), core::Price::parse("98"),
                         std::nullopt, filters);
    REQUIRE(a.position);
    storage::PositionRecord r;
    r.position = *a.position;
    r.adopted_at = core::Clock::now();
    records.push_back(r);
  }
  // Stage 1 done for one position in each batch, so a mix-up of answers between keys shows.
  std::vector<storage::StageRecord> stages;
  for (int i : {3, kStored - 3}) {
    storage::StageRecord s;
    s.key = key_of(i);
    s.stage = core::StageId{1};
    s.at = core::Clock::now();
    s.state = storage::StageState::done;
    stages.push_back(s);
  }
  storage::HistoryStore(dir.path()).import(records, stages);

  test::NodeHarness n{cfg, sim, dir.path()};
  const auto report = n.reconcile();
  CHECK(report.open == kStored + kNew);
  CHECK(report.resumed == kStored);
  CHECK(report.adopted == kNew);
  const auto all = n.status();
  REQUIRE(all.size() == static_cast<std::size_t>(kStored + kNew));
  int with_stage = 0, stored_stop = 0;
  for (const auto& s : all) {
    const auto& key = s.record.position.key;
    if (!s.stages.empty()) {
      ++with_stage;
      CHECK((key == key_of(3) || key == key_of(kStored - 3)));
    }
    stored_stop += s.record.position.initial_stop.str() == "98";
  }
  CHECK(with_stage == 2);
  CHECK(stored_stop == kStored);                               // the stored record won, for every resumed one
  CHECK(n.store().positions().size() == static_cast<std::size_t>(kStored + kNew));  // the new ones were written
  CHECK(n.reconcile().resumed == 0);                           // nothing is resumed twice
}
