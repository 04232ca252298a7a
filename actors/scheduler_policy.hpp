// The node's two actor schedulers (node.latency_mode), both CAF 0.17's work stealing with two
// changes to how an idle worker waits. Included by actors/node.cpp only (CAF scheduler internals).
//
// CAF's own policy polls: an idle worker spins, then sleeps in short steps (moderate phase), then
// waits on its condition variable with a timeout, waking only to look for work to steal. A job
// queued from outside the actor system wakes the worker it is queued to, but a job one worker
// queues for itself (an actor sending to another) wakes nobody: a peer finds it only at its next
// timed wake-up. Short timeouts keep that delay small and cost a quiet node ~2 000 wake-ups per
// worker per second; long ones make a busy worker's backlog wait.
//
// sleep (waking_work_stealing): an idle worker spins briefly, then sleeps until woken; a worker
// that queues a job behind others wakes one sleeping peer to steal it. The timed wake-up stays
// only as a safety net, so a quiet node costs almost nothing.
// spin (spinning_first_worker): the same, except that worker 0 never sleeps and every job from
// outside the actor system (a tick from a websocket thread, a timer) is queued to it, so such a
// job never waits for a thread to wake. Costs one core, all the time.
#pragma once

#include <caf/policy/work_stealing.hpp>
#include <caf/scheduler/coordinator.hpp>

#include <mutex>

namespace ptp::actors {

class waking_work_stealing : public caf::policy::work_stealing {
 public:
  struct worker_data : work_stealing::worker_data {
    explicit worker_data(caf::scheduler::abstract_coordinator* p) : work_stealing::worker_data(p) {}
    worker_data(const worker_data&) = default;
    bool asked_to_steal = false;  // guarded by waitdata.lock
  };

  template <class Worker>
  void internal_enqueue(Worker* self, caf::resumable* job) {
    const bool backlog = !d(self).queue.empty();
    d(self).queue.prepend(job);
    if (backlog) wake_one_sleeper(self);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    auto& own = d(self);
    const auto& spin = own.strategies[0];  // work-stealing.aggressive-*
    for (size_t i = 0; i < spin.attempts; i += spin.step_size) {
      if (auto* job = own.queue.take_head()) return job;
      if (i % spin.steal_interval == 0)
        if (auto* job = steal_from_any(self)) return job;
    }
    for (;;) {
      {
        std::unique_lock<std::mutex> guard(own.waitdata.lock);
        own.waitdata.sleeping = true;
        // A peer's backlog counts too: a job queued while this worker was still spinning woke
        // nobody (wake_one_sleeper found no sleeper), and would otherwise wait for the timeout.
        own.waitdata.cv.wait_for(guard, own.strategies[2].sleep_duration, [&] {
          return own.asked_to_steal || !own.queue.empty() || any_peer_has_work(self);
        });
        own.waitdata.sleeping = false;
        own.asked_to_steal = false;
      }
      if (auto* job = own.queue.take_head()) return job;
      if (auto* job = steal_from_any(self)) return job;
    }
  }

 protected:
  template <class Worker>
  static bool any_peer_has_work(Worker* self) {
    auto* parent = self->parent();
    const size_t n = parent->num_workers();
    for (size_t k = 1; k < n; ++k)
      if (!d(parent->worker_by_id((self->id() + k) % n)).queue.empty()) return true;
    return false;
  }

  template <class Worker>
  static caf::resumable* steal_from_any(Worker* self) {
    auto* parent = self->parent();
    const size_t n = parent->num_workers();
    for (size_t k = 1; k < n; ++k)
      if (auto* job = d(parent->worker_by_id((self->id() + k) % n)).queue.take_tail()) return job;
    return nullptr;
  }

  template <class Worker>
  static void wake_one_sleeper(Worker* self) {
    auto* parent = self->parent();
    const size_t n = parent->num_workers();
    for (size_t k = 1; k < n; ++k) {
      auto& peer = d(parent->worker_by_id((self->id() + k) % n));
      std::lock_guard<std::mutex> guard(peer.waitdata.lock);
      if (peer.waitdata.sleeping && !peer.asked_to_steal) {
        peer.asked_to_steal = true;
        peer.waitdata.cv.notify_one();
        return;
      }
    }
  }
};

class spinning_first_worker : public waking_work_stealing {
 public:
  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* job) {
    self->worker_by_id(0)->external_enqueue(job);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    if (self->id() != 0) return waking_work_stealing::dequeue(self);
    for (;;) {
      if (auto* job = d(self).queue.take_head()) return job;
      if (auto* job = steal_from_any(self)) return job;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();  // spin-wait hint: lets the sibling hyperthread run
#endif
    }
  }
};

using sleeping_coordinator = caf::scheduler::coordinator<waking_work_stealing>;
using spinning_coordinator = caf::scheduler::coordinator<spinning_first_worker>;

}  // namespace ptp::actors
