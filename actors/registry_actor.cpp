// The position registry: reconciles the node with the exchange's open positions. It adopts each
// new position (capturing its initial stop once), resumes positions it already knows after a
// restart, stops the actor of a position that is gone, and gives a position that reopens on the
// same symbol and side a new generation. It also routes health-check, agent and operator requests.
//
// Reconciliation uses `await`: one reconcile runs to its end before the registry reads its next
// message, so two health checks can never adopt the same position twice.
#include <caf/all.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "actors/error_text.hpp"
#include "actors/spawn.hpp"
#include "core/client_order_id.hpp"
#include "core/generation.hpp"

namespace ptp::actors {
namespace {

using Op = OrderRequest::Op;

struct registry_state {
  PositionDeps deps;
  market_data_actor market_data;
  core::GenerationTracker generations;
  bool restored = false;
  std::map<core::PositionKey, position_actor> actors;
  std::map<core::Symbol, core::InstrumentFilters> filters;
  std::set<std::string> warned;  // slots already warned about (left alone), so the log is not flooded
  static inline const char* name = "registry";
};

using self_ptr = registry_actor::stateful_pointer<registry_state>;

// One reconcile in progress: the report is delivered when the last nested step is done.
// Positions to adopt or resume are handled one after the other: CAF 0.17 keeps outstanding
// responses in lists it searches linearly, so thousands in flight at once would cost O(n^2).
struct ReconcileJob {
  struct Pending {
    core::PositionKey key;
    exchange::ExchangePosition position;
    std::vector<core::OrderState> orders;
  };
  caf::typed_response_promise<ReconcileReport> promise;
  ReconcileReport report;
  int outstanding = 0;
  std::vector<Pending> queue;  // consumed from the back
  std::int64_t taken_ns = 0;   // when the exchange snapshot was asked for (steady clock)
  std::function<void(Pending)> start_next;  // holds the job weakly (no cycle)
};
using JobPtr = std::shared_ptr<ReconcileJob>;

void begin(const JobPtr& job) { ++job->outstanding; }
void end(const JobPtr& job) {
  if (--job->outstanding > 0) return;
  if (!job->queue.empty()) {
    auto next = std::move(job->queue.back());
    job->queue.pop_back();
    job->start_next(std::move(next));
    return;
  }
  job->promise.deliver(job->report);
}

core::PositionKey slot_key(self_ptr self, const core::Symbol& symbol, core::Side side) {
  const auto& s = *self->state.deps.settings;
  return core::PositionKey{s.exchange, s.account, symbol, side, 0};
}

bool same_slot(const core::PositionKey& a, const core::Symbol& symbol, core::Side side) {
  return a.symbol == symbol && a.side == side;
}

void warn_once(self_ptr self, const std::string& slot, const std::string& message) {
  if (self->state.warned.insert(slot).second) spdlog::warn("[registry] {}", message);
}

void spawn_for(self_ptr self, const storage::PositionRecord& rec, std::vector<storage::StageRecord> stages,
               const core::InstrumentFilters& filters) {
  auto& st = self->state;
  auto actor = spawn_position(self->system(), st.deps, rec, std::move(stages), filters);
  self->monitor(actor);
  st.actors[rec.position.key] = actor;
  self->send(st.market_data, subscribe_atom_v, rec.position.key.symbol, actor);
}

void close_record(self_ptr self, const core::PositionKey& key, const JobPtr& job) {
  begin(job);
  auto persistence = self->state.deps.persistence;
  self->request(persistence, caf::infinite, load_atom_v, key)
      .await(
          [=](std::optional<storage::PositionRecord> rec, const std::vector<storage::StageRecord>&) {
            if (rec && rec->open) {
              rec->open = false;
              rec->closed_at = core::Clock::now();
              self->request(persistence, caf::infinite, save_atom_v, *rec)
                  .await([=](bool) { end(job); },
                         [=](caf::error& e) {
                           spdlog::error("[registry] {} could not be marked closed: {}", key.str(), describe(e));
                           end(job);
                         });
              return;
            }
            end(job);
          },
          [=](caf::error& e) {
            spdlog::error("[registry] {} could not be loaded: {}", key.str(), describe(e));
            end(job);
          });
}

// A closed position's stop or take-profit the node placed, still resting: reduce-only, so it cannot
// open anything, but it would close part of the next position on this slot. Cancelled.
void cancel_leftovers(self_ptr self, const core::PositionKey& key, const std::vector<core::OrderState>& orders) {
  for (const auto& o : orders) {
    if (!core::placed_for(key, o.ref.client_id)) continue;
    spdlog::warn("[registry] {} is closed but its {} {} ({}) still rests on the exchange: cancelling it", key.str(),
                 core::to_string(o.kind), o.trigger_price.str(), o.ref.str());
    OrderRequest cancel{Op::cancel, o.symbol, o.position_side, {}, {}, {}, o.ref};
    self->request(self->state.deps.exchange, caf::infinite, order_atom_v, cancel)
        .then(
            [=](const OrderReply& rep) {
              if (!rep.ok)
                spdlog::error("[registry] {} leftover {} not cancelled: {}", key.str(), o.ref.str(), rep.reason);
            },
            [=](caf::error& e) { spdlog::error("[registry] {} leftover {} not cancelled: {}", key.str(), o.ref.str(), describe(e)); });
  }
}

void stop_position(self_ptr self, const core::PositionKey& key, const position_actor& actor,
                   const std::vector<core::OrderState>& slot_orders, const JobPtr& job) {
  auto& st = self->state;
  spdlog::info("[registry] {} is gone from the exchange (closed by the user, liquidated, or its stop or "
               "take-profit filled): its actor stops, its history stays",
               key.str());
  cancel_leftovers(self, key, slot_orders);
  self->demonitor(actor.address());
  self->send(st.market_data, unsub_atom_v, key.symbol, actor);
  self->send_exit(actor, caf::exit_reason::user_shutdown);
  st.generations.observe_flat(key);
  ++job->report.stopped;
  close_record(self, key, job);
}

// Adoption writes the record before anything is sent: with storage that cannot be written (a full
// disk, a read-only one) nothing goes to the exchange. The new actor then gets the slot as the
// exchange showed it and places what is missing (the default stop when the user set none, the
// extreme take-profit) like any reconcile; the reconcile ends once it has.
void store_and_spawn(self_ptr self, storage::PositionRecord rec, core::InstrumentFilters filters, std::string how,
                     SlotSnapshot slot, const JobPtr& job) {
  self->request(self->state.deps.persistence, caf::infinite, adopt_atom_v, rec)
      .await(
          [=](storage::PositionRecord stored) {
            const auto& p = stored.position;
            spdlog::info("[registry] adopted {} {} @ {}, initial stop {} (1R = {}){}", p.key.str(), p.original_size.str(),
                         p.entry.str(), p.initial_stop.str(), p.risk().str(), how);
            spawn_for(self, stored, {}, filters);
            ++job->report.adopted;
            auto actor = self->state.actors[p.key];
            self->send(actor, check_atom_v, slot);
            self->request(actor, caf::infinite, idle_atom_v).await([=](bool) { end(job); }, [=](caf::error&) { end(job); });
          },
          [=](caf::error& e) {
            spdlog::error("[registry] {} not adopted: the record could not be stored ({}); nothing is sent or "
                          "executed for it until storage works",
                          rec.position.key.str(), describe(e));
            end(job);
          });
}

void adopt_new(self_ptr self, const core::PositionKey& key, const exchange::ExchangePosition& p,
               const std::vector<core::OrderState>& orders, const core::InstrumentFilters& filters, const JobPtr& job) {
  const auto& settings = *self->state.deps.settings;
  std::optional<core::OrderState> stop_order, tp_order;
  for (const auto& o : orders) {
    if (o.symbol != p.symbol || o.position_side != p.side) continue;
    if (o.kind == core::OrderKind::stop && !stop_order) stop_order = o;
    if (o.kind == core::OrderKind::take_profit && !tp_order) tp_order = o;
  }
  const std::optional<core::Price> stop = stop_order ? std::optional(stop_order->trigger_price) : std::nullopt;
  core::Adoption a = core::adopt(key, p.entry, p.size, stop, settings.default_stop_pct, filters);
  if (!a.position) {
    ++job->report.left_alone;
    warn_once(self, key.str(), a.reason);
    end(job);
    return;
  }
  storage::PositionRecord rec;
  rec.position = *a.position;
  rec.adopted_at = core::Clock::now();
  if (stop_order) rec.stop_order = stop_order->ref;
  if (tp_order) rec.tp_order = tp_order->ref;
  store_and_spawn(self, std::move(rec), filters, ", " + a.reason, SlotSnapshot{p.size, orders, job->taken_ns}, job);
}

void adopt_or_resume(self_ptr self, core::PositionKey key, exchange::ExchangePosition p,
                     std::vector<core::OrderState> orders, const JobPtr& job) {
  begin(job);
  auto with_filters = [=](core::InstrumentFilters filters) {
    self->request(self->state.deps.persistence, caf::infinite, load_atom_v, key)
        .await(
            [=](std::optional<storage::PositionRecord> rec, std::vector<storage::StageRecord> stages) {
              if (rec && rec->open) {
                // A restart: the stored record wins (initial stop, executed stages), never the exchange's stop.
                spdlog::info("[registry] resumed {} from storage: initial stop {}, current stop {}, {} stage(s) recorded",
                             key.str(), rec->position.initial_stop.str(), rec->position.current_stop.str(),
                             stages.size());
                spawn_for(self, *rec, std::move(stages), filters);
                ++job->report.resumed;
                self->send(self->state.actors[key], check_atom_v, SlotSnapshot{p.size, orders, job->taken_ns});
                end(job);
                return;
              }
              adopt_new(self, key, p, orders, filters, job);
            },
            [=](caf::error& e) {
              spdlog::error("[registry] {} could not be loaded: {}", key.str(), describe(e));
              end(job);
            });
  };
  if (auto it = self->state.filters.find(p.symbol); it != self->state.filters.end()) {
    with_filters(it->second);
    return;
  }
  self->request(self->state.deps.exchange, caf::infinite, filters_atom_v, p.symbol)
      .await(
          [=](core::InstrumentFilters f) {
            self->state.filters[p.symbol] = f;
            with_filters(f);
          },
          [=](caf::error& e) {
            spdlog::error("[registry] {} filters unavailable: {}", key.str(), describe(e));
            end(job);
          });
}

void reconcile_with(self_ptr self, const ExchangeSnapshot& snap, const JobPtr& job) {
  auto& st = self->state;
  // Each position gets only its own resting orders (copying all of them per position is O(n^2)).
  std::map<std::pair<core::Symbol, core::Side>, std::vector<core::OrderState>> orders_by_slot;
  for (const auto& o : snap.orders) orders_by_slot[{o.symbol, o.position_side}].push_back(o);
  auto slot_orders = [&](const core::Symbol& symbol, core::Side side) -> std::vector<core::OrderState>& {
    return orders_by_slot[{symbol, side}];
  };
  auto present = [&](const core::PositionKey& k) {
    for (const auto& p : snap.positions)
      if (same_slot(k, p.symbol, p.side)) return true;
    return false;
  };
  for (auto it = st.actors.begin(); it != st.actors.end();) {
    if (present(it->first)) {
      ++it;
      continue;
    }
    stop_position(self, it->first, it->second, slot_orders(it->first.symbol, it->first.side), job);
    it = st.actors.erase(it);
  }
  for (const auto& p : snap.positions) {
    if (!st.deps.settings->manages(p.symbol)) {
      warn_once(self, "unmanaged:" + p.symbol.canonical(),
                fmt::format("{} {} is open on the exchange but not in node.symbols: not managed", p.symbol.canonical(),
                            core::to_string(p.side)));
      continue;
    }
    ++job->report.open;
    const core::PositionKey key = st.generations.observe_open(slot_key(self, p.symbol, p.side));
    if (auto it = st.actors.find(key); it != st.actors.end()) {
      self->send(it->second, check_atom_v, SlotSnapshot{p.size, slot_orders(p.symbol, p.side), job->taken_ns});
      continue;
    }
    job->queue.push_back({key, p, std::move(slot_orders(p.symbol, p.side))});
  }
}

// First reconcile after start: generations continue from storage, and records of positions that
// closed while the node was down are marked closed.
void restore(self_ptr self, const std::vector<storage::PositionRecord>& records, const ExchangeSnapshot& snap,
             const JobPtr& job) {
  auto& st = self->state;
  for (const auto& r : records) {
    bool open = r.open;
    if (open) {
      bool present = false;
      for (const auto& p : snap.positions) present = present || same_slot(r.position.key, p.symbol, p.side);
      if (!present) {
        spdlog::info("[registry] {} closed while the node was down; its history stays", r.position.key.str());
        std::vector<core::OrderState> leftovers;
        for (const auto& o : snap.orders)
          if (same_slot(r.position.key, o.symbol, o.position_side)) leftovers.push_back(o);
        cancel_leftovers(self, r.position.key, leftovers);
        open = false;
        close_record(self, r.position.key, job);
      }
    }
    st.generations.restore(r.position.key, open);
  }
  st.restored = true;
}

// Calls `k` with a fresh price for `symbol`: the stream's last price, or a REST mark when the stream
// is older than stream_stale_after (or has not started). `fail` gets the reason when neither exists.
void with_fresh_price(self_ptr self, const core::Symbol& symbol, std::function<void(core::Price, bool rest)> k,
                      std::function<void(std::string)> fail) {
  const auto stale_ns = std::chrono::nanoseconds(self->state.deps.settings->stream_stale_after).count();
  self->request(self->state.market_data, caf::infinite, last_atom_v, symbol)
      .then([=](LastPrice last) {
        if (last.known && core::steady_now_ns() - last.received_ns < stale_ns) {
          k(last.price, false);
          return;
        }
        self->request(self->state.deps.exchange, caf::infinite, mark_atom_v, symbol)
            .then([=](core::Price p) { k(p, true); }, [=](caf::error& e) { fail("no_price: " + describe(e)); });
      });
}

// Asks every position actor `atom` and hands `deliver` the replies (an actor that fails to
// answer is left out) once all have answered.
template <class T, class Atom, class Deliver>
void fan_in(self_ptr self, Atom atom, Deliver deliver) {
  auto out = std::make_shared<std::vector<T>>();
  auto remaining = std::make_shared<std::size_t>(self->state.actors.size());
  if (*remaining == 0) {
    deliver(*out);
    return;
  }
  auto done = [=]() mutable {
    if (--*remaining == 0) deliver(*out);
  };
  for (const auto& [key, actor] : self->state.actors)
    self->request(actor, caf::infinite, atom)
        .then([=](T reply) mutable {
                out->push_back(std::move(reply));
                done();
              },
              [=](caf::error&) mutable { done(); });
}

// drain / idle: true once every position actor has answered.
template <class Atom>
caf::typed_response_promise<bool> ask_all(self_ptr self, Atom atom) {
  auto promise = self->make_response_promise<bool>();
  fan_in<bool>(self, atom, [=](const std::vector<bool>&) mutable { promise.deliver(true); });
  return promise;
}

registry_actor::behavior_type registry(self_ptr self, PositionDeps deps, market_data_actor market_data) {
  self->state.deps = std::move(deps);
  self->state.market_data = std::move(market_data);
  // The position actors are the registry's children: they stop with it.
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    for (const auto& [key, actor] : self->state.actors) self->send_exit(actor, msg.reason);
    self->state.actors.clear();
    self->quit(msg.reason);
  });
  self->set_down_handler([=](const caf::down_msg& msg) {
    auto& actors = self->state.actors;
    for (auto it = actors.begin(); it != actors.end(); ++it) {
      if (it->second.address() != msg.source) continue;
      spdlog::error("[registry] the actor of {} stopped unexpectedly ({}); it is re-adopted at the next health check",
                    it->first.str(), to_string(msg.reason));
      self->state.generations.observe_flat(it->first);
      actors.erase(it);
      return;
    }
  });
  return {
      [=](reconcile_atom) {
        auto job = std::make_shared<ReconcileJob>();
        job->promise = self->make_response_promise<ReconcileReport>();
        job->start_next = [self, weak = std::weak_ptr<ReconcileJob>(job)](ReconcileJob::Pending p) {
          if (auto j = weak.lock()) adopt_or_resume(self, std::move(p.key), std::move(p.position), std::move(p.orders), j);
        };
        begin(job);
        job->taken_ns = core::steady_now_ns();
        auto& st = self->state;
        self->request(st.deps.exchange, caf::infinite, snapshot_atom_v)
            .await(
                [=](ExchangeSnapshot snap) {
                  if (self->state.restored) {
                    reconcile_with(self, snap, job);
                    end(job);
                    return;
                  }
                  self->request(self->state.deps.persistence, caf::infinite, list_atom_v)
                      .await(
                          [=](const std::vector<storage::PositionRecord>& records) {
                            restore(self, records, snap, job);
                            reconcile_with(self, snap, job);
                            end(job);
                          },
                          [=](caf::error& e) {
                            spdlog::error("[registry] storage unavailable, nothing adopted: {}", describe(e));
                            end(job);
                          });
                },
                [=](caf::error& e) {
                  spdlog::warn("[registry] exchange positions unavailable, keeping the current actors: {}", describe(e));
                  end(job);
                });
        return job->promise;
      },
      [=](sweep_atom, core::Caller caller) {
        // At most kSweepWidth positions are asked at once (CAF 0.17 searches outstanding
        // responses linearly); each at a fresh price.
        constexpr std::size_t kSweepWidth = 64;
        struct Fan {
          caf::typed_response_promise<SweepReport> promise;
          SweepReport report;
          std::vector<std::pair<core::PositionKey, position_actor>> targets;
          std::size_t next = 0;
          std::size_t in_flight = 0;
          std::function<void()> launch;
        };
        auto fan = std::make_shared<Fan>();
        fan->promise = self->make_response_promise<SweepReport>();
        fan->report.caller = caller;
        fan->targets.assign(self->state.actors.begin(), self->state.actors.end());
        // The fan stores `launch`, so `launch` holds it weakly; the requests in flight hold it strongly.
        std::weak_ptr<Fan> weak = fan;
        auto add = [](const std::shared_ptr<Fan>& f, ExecuteReply r) {
          f->report.replies.push_back(std::move(r));
          --f->in_flight;
          f->launch();
        };
        fan->launch = [=] {
          auto f = weak.lock();
          if (!f) return;
          while (f->in_flight < kSweepWidth && f->next < f->targets.size()) {
            auto [key, actor] = f->targets[f->next++];
            ++f->in_flight;
            auto ask = [=](core::Price price) {
              self->request(actor, caf::infinite, execute_atom_v, ExecuteRequest{caller, std::nullopt, price})
                  .then([=](ExecuteReply r) { add(f, std::move(r)); },
                        [=](caf::error& e) {
                          add(f, ExecuteReply{key, caller, core::Outcome{core::OutcomeKind::failed, "actor: " + describe(e)}, {}, {}});
                        });
            };
            with_fresh_price(
                self, key.symbol,
                [=](core::Price price, bool rest) {
                  if (rest) ++f->report.rest_prices;
                  ask(price);
                },
                [=](std::string why) { add(f, ExecuteReply{key, caller, core::Outcome{core::OutcomeKind::failed, why}, {}, {}}); });
          }
          if (f->in_flight == 0 && f->next == f->targets.size()) {
            f->promise.deliver(f->report);
          }
        };
        auto promise = fan->promise;
        fan->launch();
        return promise;
      },
      [=](execute_atom, const core::Symbol& symbol, core::Side side, const ExecuteRequest& req) -> caf::result<ExecuteReply> {
        for (const auto& [key, actor] : self->state.actors) {
          if (!same_slot(key, symbol, side)) continue;
          auto promise = self->make_response_promise<ExecuteReply>();
          auto forward = [=](ExecuteRequest priced) mutable {
            self->request(actor, caf::infinite, execute_atom_v, priced)
                .then([=](ExecuteReply r) mutable { promise.deliver(r); },
                      [=](caf::error& e) mutable { promise.deliver(e); });
          };
          if (req.price) {
            forward(req);
          } else {
            // The agent tool and the operator name no price: they get the same fresh price as the health check.
            with_fresh_price(
                self, symbol,
                [=](core::Price p, bool) mutable {
                  ExecuteRequest priced = req;
                  priced.price = p;
                  forward(priced);
                },
                [=, k = key](std::string why) mutable {
                  promise.deliver(ExecuteReply{k, req.caller, core::Outcome{core::OutcomeKind::failed, why}, req.stage, {}});
                });
          }
          return promise;
        }
        return ExecuteReply{slot_key(self, symbol, side), req.caller,
                            core::Outcome{core::OutcomeKind::failed, "no_open_position"}, req.stage, {}};
      },
      [=](drain_atom) { return ask_all(self, drain_atom_v); },
      [=](idle_atom) { return ask_all(self, idle_atom_v); },
      [=](status_atom) {
        auto promise = self->make_response_promise<std::vector<PositionStatus>>();
        fan_in<PositionStatus>(self, status_atom_v,
                               [=](const std::vector<PositionStatus>& all) mutable { promise.deliver(all); });
        return promise;
      },
  };
}

}  // namespace

registry_actor spawn_registry(caf::actor_system& sys, PositionDeps deps, market_data_actor market_data) {
  return sys.spawn(registry, std::move(deps), std::move(market_data));
}

}  // namespace ptp::actors
