//! The wait for a render slot: a bounded queue, served in order.
//!
//! A render request is admitted on arrival if fewer than `queue` requests
//! are already waiting (reading their upload, or waiting for a slot);
//! otherwise it is answered `503` at once, with a `Retry-After` estimated
//! from the queue and the render time observed so far. An admitted request
//! reads its body (never holding a slot while a client uploads), then
//! waits for one of the render slots, at most `wait`; slots are handed out
//! strictly first come, first served (tokio's semaphore queues its waiters
//! in order, and a free permit goes to the oldest waiter before anyone
//! else can take it).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Why a request was not given a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// The queue was full when it arrived.
    QueueFull,
    /// It waited as long as allowed.
    Timeout,
}

impl Refused {
    /// The reason, as a metric label.
    pub fn label(self) -> &'static str {
        match self {
            Refused::QueueFull => "queue_full",
            Refused::Timeout => "queue_timeout",
        }
    }
}

/// The render slots and the queue in front of them.
pub struct Gate {
    slots: Arc<Semaphore>,
    total: usize,
    queue: usize,
    wait: Duration,
    /// Admitted and not yet given a slot.
    waiting: AtomicUsize,
    /// Of those, the ones waiting for a slot (the rest are reading their
    /// upload).
    queued: AtomicUsize,
    /// Mean render time, microseconds (an exponential moving average; 0
    /// until the first render).
    mean_us: AtomicU64,
}

/// Render time assumed before any render was observed.
const FIRST_GUESS: Duration = Duration::from_secs(1);

/// The longest `Retry-After` given, seconds.
const MAX_RETRY_AFTER: u64 = 120;

impl Gate {
    /// `total` slots, at most `queue` waiting, each at most `wait`.
    pub fn new(total: usize, queue: usize, wait: Duration) -> Gate {
        Gate {
            slots: Arc::new(Semaphore::new(total)),
            total: total.max(1),
            queue,
            wait,
            waiting: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            mean_us: AtomicU64::new(0),
        }
    }

    /// Render slots in all.
    pub fn total(&self) -> usize {
        self.total
    }

    /// Render slots in use now.
    pub fn busy(&self) -> usize {
        self.total.saturating_sub(self.slots.available_permits())
    }

    /// Requests admitted and waiting for a slot, or reading their upload
    /// before they do.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// Requests waiting for a slot, their upload read.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }

    /// The queue's capacity.
    pub fn capacity(&self) -> usize {
        self.queue
    }

    /// Admits a request to the queue, or refuses it when the queue is
    /// full: at most `queue` may wait beyond the slots free now.
    pub fn admit(self: &Arc<Self>) -> Result<Ticket, Refused> {
        let free = self.slots.available_permits();
        let admitted = self
            .waiting
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| {
                (w < self.queue + free).then_some(w + 1)
            });
        match admitted {
            Ok(_) => Ok(Ticket {
                gate: Some(self.clone()),
            }),
            Err(_) => Err(Refused::QueueFull),
        }
    }

    /// Waits for a slot without a bound on the queue or the time (the
    /// page's template thumbnails, made once each), in the same order.
    pub async fn slot_unbounded(self: &Arc<Self>) -> Option<OwnedSemaphorePermit> {
        self.slots.clone().acquire_owned().await.ok()
    }

    /// Records a render's time.
    pub fn observe(&self, took: Duration) {
        let us = took.as_micros().min(u64::MAX as u128) as u64;
        let _ = self
            .mean_us
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |m| {
                Some(if m == 0 { us.max(1) } else { (m * 7 + us) / 8 })
            });
    }

    /// The mean render time observed so far.
    pub fn mean(&self) -> Duration {
        match self.mean_us.load(Ordering::SeqCst) {
            0 => FIRST_GUESS,
            us => Duration::from_micros(us),
        }
    }

    /// Seconds after which a refused client may find room: the time the
    /// slots need to work through the queue (and one render more), at
    /// least 1.
    pub fn retry_after(&self) -> u32 {
        let renders = (self.waiting() + self.busy()) as f64 / self.total as f64 + 1.0;
        let secs = (renders * self.mean().as_secs_f64()).ceil() as u64;
        secs.clamp(1, MAX_RETRY_AFTER) as u32
    }
}

/// A place in the queue; dropped (given up, or the client went away), it
/// leaves the queue.
pub struct Ticket {
    gate: Option<Arc<Gate>>,
}

impl Ticket {
    /// Waits for a slot, in arrival order, at most the gate's wait; the
    /// time waited comes with the slot.
    pub async fn slot(mut self) -> Result<(OwnedSemaphorePermit, Duration), Refused> {
        let Some(gate) = self.gate.clone() else {
            return Err(Refused::Timeout);
        };
        let start = Instant::now();
        gate.queued.fetch_add(1, Ordering::SeqCst);
        let _queued = Queued(&gate.queued);
        let acquired = tokio::time::timeout(gate.wait, gate.slots.clone().acquire_owned()).await;
        self.leave();
        match acquired {
            Ok(Ok(permit)) => Ok((permit, start.elapsed())),
            _ => Err(Refused::Timeout),
        }
    }

    fn leave(&mut self) {
        if let Some(gate) = self.gate.take() {
            gate.waiting.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// Counts a request as waiting for a slot while it lives.
struct Queued<'a>(&'a AtomicUsize);

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        self.leave();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
    }

    #[test]
    fn slots_go_in_arrival_order_and_a_full_queue_refuses() {
        runtime().block_on(async {
            let gate = Arc::new(Gate::new(1, 3, Duration::from_secs(5)));
            let (first, _) = gate.admit().unwrap().slot().await.unwrap();
            assert_eq!((gate.busy(), gate.waiting()), (1, 0));
            let order = Arc::new(std::sync::Mutex::new(Vec::new()));
            let mut tasks = Vec::new();
            for i in 0..3 {
                let ticket = gate.admit().unwrap();
                let order = order.clone();
                tasks.push(tokio::spawn(async move {
                    let (permit, _) = ticket.slot().await.unwrap();
                    order.lock().unwrap().push(i);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    drop(permit);
                }));
                tokio::task::yield_now().await;
            }
            assert_eq!(gate.waiting(), 3);
            assert_eq!(gate.admit().err(), Some(Refused::QueueFull));
            gate.observe(Duration::from_millis(1500));
            // 3 waiting + 1 busy on 1 slot, and one render more: 5 × 1.5 s.
            assert_eq!(gate.retry_after(), 8);
            drop(first);
            for t in tasks {
                t.await.unwrap();
            }
            assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
            assert_eq!((gate.busy(), gate.waiting()), (0, 0));
        });
    }

    #[test]
    fn a_wait_is_bounded_and_a_dropped_ticket_leaves_the_queue() {
        runtime().block_on(async {
            let gate = Arc::new(Gate::new(1, 0, Duration::from_millis(50)));
            let (held, _) = gate.admit().unwrap().slot().await.unwrap();
            // No queue: refused at once while the slot is busy.
            assert_eq!(gate.admit().err(), Some(Refused::QueueFull));
            drop(held);
            let gate = Arc::new(Gate::new(1, 2, Duration::from_millis(50)));
            let (_held, _) = gate.admit().unwrap().slot().await.unwrap();
            let t = gate.admit().unwrap();
            assert_eq!(gate.waiting(), 1);
            drop(t);
            assert_eq!(gate.waiting(), 0);
            let started = Instant::now();
            let r = gate.admit().unwrap().slot().await;
            assert_eq!(r.err(), Some(Refused::Timeout));
            assert!(started.elapsed() >= Duration::from_millis(50));
            assert_eq!(gate.waiting(), 0);
        });
    }
}
