// The scheduler of latency_mode = "spin": CAF's work stealing, except that worker 0 never sleeps.
// It polls its queue (and steals) without pause, and every job from outside the actor system (a
// tick from a websocket thread, a timer) is queued to it, so no tick waits for a sleeping thread to
// be woken: on this class of VM that wake-up is the tick-to-decision tail. The other workers wait
// as in the default mode and steal from worker 0 when it is busy. Costs one core, all the time.
// Included by actors/node.cpp only (CAF scheduler internals).
#pragma once

#include <caf/policy/work_stealing.hpp>
#include <caf/scheduler/coordinator.hpp>

namespace ptp::actors {

class spinning_first_worker : public caf::policy::work_stealing {
 public:
  template <class Coordinator>
  void central_enqueue(Coordinator* self, caf::resumable* job) {
    self->worker_by_id(0)->external_enqueue(job);
  }

  template <class Worker>
  caf::resumable* dequeue(Worker* self) {
    if (self->id() != 0) return work_stealing::dequeue(self);
    for (;;) {
      if (auto* job = d(self).queue.take_head()) return job;
      if (auto* job = try_steal(self)) return job;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();  // spin-wait hint: lets the sibling hyperthread run
#endif
    }
  }
};

using spinning_coordinator = caf::scheduler::coordinator<spinning_first_worker>;

}  // namespace ptp::actors
