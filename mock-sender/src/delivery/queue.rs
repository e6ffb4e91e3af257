//! Where pending deliveries wait, without a task each: one timer map (due time → delivery)
//! for those waiting for their next attempt, and per endpoint a first-in-first-out queue
//! of those due but waiting for one of its `max_in_flight` slots.
//!
//! An endpoint the receiver asked to throttle (`throttle`) starts nothing until its pause
//! ends: its due deliveries wait in its queue, in order, and one entry per paused endpoint
//! (not per delivery), ordered by the pause's end, has the timer task lift the pause.
//!
//! A waiting delivery is its id. Up to `LOADED_PER_ENDPOINT` of an endpoint's waiting
//! deliveries also keep their record, so a short queue (the usual case) never reads the
//! store again; past that, the record is dropped (the store has it: a delivery is stored
//! before it is queued) and read back when its turn comes. So a long queue costs ~100
//! bytes per delivery, whatever the body.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;

use crate::store::DeliveryRecord;

/// Waiting deliveries per endpoint that keep their record in memory.
pub const LOADED_PER_ENDPOINT: usize = 128;

/// One delivery waiting, made by `Queue::admit`.
#[derive(Debug)]
pub struct Waiting {
    pub id: Box<str>,
    pub webhook_id: Arc<str>,
    /// `None`: read it from the store when its turn comes.
    pub record: Option<Box<DeliveryRecord>>,
    /// Its chaos delay (`delay_ms`) was drawn and is being waited: when due, it is ready.
    pub held: bool,
}

#[derive(Debug, Default)]
struct Endpoint {
    /// Attempts on the wire (a slot each).
    in_flight: usize,
    /// Due, waiting for a slot, oldest first.
    ready: VecDeque<Waiting>,
    /// Waiting deliveries (timed or ready) keeping their record.
    loaded: usize,
    /// The end (Unix ms) of a pause the receiver asked for, until the timer lifts it: a
    /// flag for `start_next` to test, no clock read on its path.
    throttled_until: Option<i64>,
}

impl Endpoint {
    /// Nothing to remember: a paused endpoint is kept, or its next delivery would start
    /// at once.
    fn is_idle(&self) -> bool {
        self.in_flight == 0
            && self.ready.is_empty()
            && self.loaded == 0
            && self.throttled_until.is_none()
    }
}

#[derive(Debug, Default)]
pub struct Queue {
    /// By due time (Unix ms), then arrival.
    timers: BTreeMap<(i64, u64), Waiting>,
    arrivals: u64,
    endpoints: HashMap<Arc<str>, Endpoint>,
    /// The paused endpoints by the end of their pause, one entry each.
    pauses: BTreeSet<(i64, Arc<str>)>,
}

impl Queue {
    /// `d` as a waiting delivery, keeping its record if its endpoint has room for it.
    pub fn admit(&mut self, d: DeliveryRecord) -> Waiting {
        let (webhook_id, endpoint) = self.endpoint(&d.webhook_id);
        let keep = endpoint.loaded < LOADED_PER_ENDPOINT;
        if keep {
            endpoint.loaded += 1;
        }
        Waiting {
            id: d.id.as_str().into(),
            webhook_id,
            record: keep.then(|| Box::new(d)),
            held: false,
        }
    }

    /// Waits until `at` (Unix ms). True when it is now the first to come due (alone).
    pub fn schedule(&mut self, w: Waiting, at: i64) -> bool {
        self.arrivals += 1;
        let key = (at, self.arrivals);
        self.timers.insert(key, w);
        self.timers.first_key_value().map(|(k, _)| *k) == Some(key)
    }

    /// When the first timed delivery comes due or the first pause ends.
    pub fn next_due(&self) -> Option<i64> {
        let delivery = self.timers.first_key_value().map(|((at, _), _)| *at);
        let pause = self.pauses.first().map(|(at, _)| *at);
        delivery.into_iter().chain(pause).min()
    }

    /// A timed delivery due at `now` or before, the earliest first.
    pub fn pop_due(&mut self, now: i64) -> Option<Waiting> {
        let entry = self.timers.first_entry()?;
        (entry.key().0 <= now).then(|| entry.remove())
    }

    /// Pauses `webhook_id` until `until` (Unix ms); a pause under way that ends later is
    /// kept as it is. `None` then; else whether the timer must be woken (no due time
    /// comes before the new end).
    pub fn throttle(&mut self, webhook_id: &str, until: i64) -> Option<bool> {
        let (id, endpoint) = self.endpoint(webhook_id);
        let old = endpoint.throttled_until;
        if old.is_some_and(|old| old >= until) {
            return None;
        }
        endpoint.throttled_until = Some(until);
        if let Some(old) = old {
            self.pauses.remove(&(old, Arc::clone(&id)));
        }
        self.pauses.insert((until, id));
        Some(self.next_due() == Some(until))
    }

    /// When the pause of `webhook_id` ends, if it is paused.
    pub fn throttled_until(&self, webhook_id: &str) -> Option<i64> {
        self.endpoints.get(webhook_id)?.throttled_until
    }

    /// An endpoint whose pause has ended at `now`, the earliest first: it may start its
    /// ready deliveries again.
    pub fn pop_unthrottled(&mut self, now: i64) -> Option<Arc<str>> {
        if self.pauses.first()?.0 > now {
            return None;
        }
        let (_, id) = self.pauses.pop_first()?;
        self.end_pause(&id);
        Some(id)
    }

    /// Ends the pause of `webhook_id` now (its webhook was deleted: a new one of the same
    /// id is another endpoint); whether it was paused.
    pub fn unthrottle(&mut self, webhook_id: &str) -> bool {
        let Some((id, endpoint)) = self.endpoints.get_key_value(webhook_id) else {
            return false;
        };
        let Some(until) = endpoint.throttled_until else {
            return false;
        };
        self.pauses.remove(&(until, Arc::clone(id)));
        self.end_pause(webhook_id);
        true
    }

    fn end_pause(&mut self, webhook_id: &str) {
        if let Some(endpoint) = self.endpoints.get_mut(webhook_id) {
            endpoint.throttled_until = None;
            if endpoint.is_idle() {
                self.endpoints.remove(webhook_id);
            }
        }
    }

    /// Queues a due delivery behind its endpoint's others.
    pub fn push_ready(&mut self, w: Waiting) {
        let webhook_id = Arc::clone(&w.webhook_id);
        self.endpoint(&webhook_id).1.ready.push_back(w);
    }

    /// The next delivery to attempt to `webhook_id`, if one is ready, a slot is free and
    /// the endpoint is not paused (it then holds the slot until `release`).
    pub fn start_next(&mut self, webhook_id: &str, max_in_flight: usize) -> Option<Waiting> {
        let endpoint = self.endpoints.get_mut(webhook_id)?;
        if endpoint.in_flight >= max_in_flight.max(1) || endpoint.throttled_until.is_some() {
            return None;
        }
        let w = endpoint.ready.pop_front()?;
        endpoint.in_flight += 1;
        if w.record.is_some() {
            endpoint.loaded -= 1;
        }
        Some(w)
    }

    /// Gives back the slot of an attempt to `webhook_id`.
    pub fn release(&mut self, webhook_id: &str) {
        if let Some(endpoint) = self.endpoints.get_mut(webhook_id) {
            endpoint.in_flight = endpoint.in_flight.saturating_sub(1);
            if endpoint.is_idle() {
                self.endpoints.remove(webhook_id);
            }
        }
    }

    /// Takes delivery `id` out of the queue, wherever it waits.
    pub fn remove(&mut self, id: &str) {
        let mut unloaded: Vec<Arc<str>> = Vec::new();
        self.timers.retain(|_, w| {
            let keep = &*w.id != id;
            if !keep && w.record.is_some() {
                unloaded.push(Arc::clone(&w.webhook_id));
            }
            keep
        });
        for endpoint in self.endpoints.values_mut() {
            endpoint.ready.retain(|w| {
                let keep = &*w.id != id;
                if !keep && w.record.is_some() {
                    endpoint.loaded -= 1;
                }
                keep
            });
        }
        for webhook_id in unloaded {
            if let Some(endpoint) = self.endpoints.get_mut(&webhook_id) {
                endpoint.loaded -= 1;
            }
        }
        self.endpoints.retain(|_, e| !e.is_idle());
    }

    /// Forgets every waiting delivery (they stay pending in the store) and every pause;
    /// attempts in flight keep their slots.
    pub fn clear(&mut self) {
        self.timers.clear();
        self.pauses.clear();
        for endpoint in self.endpoints.values_mut() {
            endpoint.ready.clear();
            endpoint.loaded = 0;
            endpoint.throttled_until = None;
        }
        self.endpoints.retain(|_, e| !e.is_idle());
    }

    /// Deliveries waiting.
    pub fn len(&self) -> usize {
        self.timers.len()
            + self
                .endpoints
                .values()
                .map(|e| e.ready.len())
                .sum::<usize>()
    }

    /// The endpoint of `webhook_id` (made if new) and its shared id.
    fn endpoint(&mut self, webhook_id: &str) -> (Arc<str>, &mut Endpoint) {
        let id = self
            .endpoints
            .get_key_value(webhook_id)
            .map_or_else(|| Arc::from(webhook_id), |(id, _)| Arc::clone(id));
        let endpoint = self.endpoints.entry(Arc::clone(&id)).or_default();
        (id, endpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::DeliveryStatus;

    fn delivery(id: usize, webhook_id: &str) -> DeliveryRecord {
        DeliveryRecord {
            id: format!("msg_{id}"),
            webhook_id: webhook_id.into(),
            event_id: "evt_1".into(),
            event_type: "a.b".into(),
            body: "{}".into(),
            status: DeliveryStatus::Pending,
            attempts: 0,
            max_attempts: 1,
            schedule: vec![0],
            next_attempt_at: Some(0),
            last_status_code: None,
            last_error: None,
            created_at: 0,
            updated_at: 0,
        }
    }

    fn ready(q: &mut Queue, id: usize, webhook_id: &str) {
        let w = q.admit(delivery(id, webhook_id));
        q.push_ready(w);
    }

    #[test]
    fn an_endpoint_keeps_a_bounded_number_of_records() {
        let mut q = Queue::default();
        for i in 0..LOADED_PER_ENDPOINT + 10 {
            ready(&mut q, i, "wh_1");
        }
        ready(&mut q, 0, "wh_2");
        assert_eq!(q.len(), LOADED_PER_ENDPOINT + 11);
        let mut kept = 0;
        while let Some(w) = q.start_next("wh_1", usize::MAX) {
            kept += usize::from(w.record.is_some());
        }
        assert_eq!(kept, LOADED_PER_ENDPOINT, "the rest wait as ids");
        let other = q.start_next("wh_2", usize::MAX).unwrap();
        assert!(other.record.is_some(), "another endpoint has its own room");
        // Their records left with them: room again.
        for _ in 0..LOADED_PER_ENDPOINT + 11 {
            q.release("wh_1");
        }
        assert!(q.admit(delivery(1, "wh_1")).record.is_some());
    }

    #[test]
    fn an_endpoint_starts_in_order_up_to_its_cap() {
        let mut q = Queue::default();
        for i in 0..3 {
            ready(&mut q, i, "wh_1");
        }
        assert_eq!(&*q.start_next("wh_1", 2).unwrap().id, "msg_0");
        assert_eq!(&*q.start_next("wh_1", 2).unwrap().id, "msg_1");
        assert!(q.start_next("wh_1", 2).is_none(), "two in flight");
        q.release("wh_1");
        assert_eq!(&*q.start_next("wh_1", 2).unwrap().id, "msg_2");
        assert!(q.start_next("wh_1", 2).is_none());
        assert!(q.start_next("wh_nope", 2).is_none());
    }

    #[test]
    fn timers_come_due_in_time_order() {
        let mut q = Queue::default();
        let w = q.admit(delivery(1, "wh_1"));
        assert!(q.schedule(w, 20));
        let w = q.admit(delivery(2, "wh_1"));
        assert!(q.schedule(w, 10), "now the first to come due");
        let w = q.admit(delivery(3, "wh_1"));
        assert!(!q.schedule(w, 10));
        assert_eq!(q.next_due(), Some(10));
        assert!(q.pop_due(9).is_none());
        let due: Vec<_> = std::iter::from_fn(|| q.pop_due(15)).map(|w| w.id).collect();
        assert_eq!(due, ["msg_2".into(), "msg_3".into()] as [Box<str>; 2]);
        assert_eq!(q.next_due(), Some(20));
    }

    #[test]
    fn remove_and_clear_forget_waiting_deliveries() {
        let mut q = Queue::default();
        for i in 0..3 {
            ready(&mut q, i, "wh_1");
        }
        let w = q.admit(delivery(3, "wh_1"));
        q.schedule(w, 5);
        q.remove("msg_1");
        q.remove("msg_3");
        assert_eq!(q.len(), 2);
        assert_eq!(q.next_due(), None);
        assert_eq!(&*q.start_next("wh_1", 8).unwrap().id, "msg_0");
        q.clear();
        assert_eq!(q.len(), 0);
        assert!(q.start_next("wh_1", 8).is_none());
        // The attempt in flight keeps its slot until released; then nothing is left.
        q.release("wh_1");
        assert!(q.endpoints.is_empty());
    }

    #[test]
    fn a_throttled_endpoint_starts_nothing_until_its_pause_ends() {
        let mut q = Queue::default();
        for i in 0..3 {
            ready(&mut q, i, "wh_1");
        }
        ready(&mut q, 3, "wh_2");
        assert_eq!(q.throttle("wh_1", 100), Some(true), "the first due time");
        assert_eq!(q.throttled_until("wh_1"), Some(100));
        assert!(q.start_next("wh_1", 8).is_none(), "paused, slots free");
        assert_eq!(
            &*q.start_next("wh_2", 8).unwrap().id,
            "msg_3",
            "others go on"
        );
        assert_eq!(q.throttled_until("wh_2"), None);
        assert_eq!(q.next_due(), Some(100));
        assert_eq!(q.len(), 3, "a pause is no waiting delivery");
        assert!(q.pop_unthrottled(99).is_none());
        assert_eq!(q.pop_unthrottled(100).as_deref(), Some("wh_1"));
        assert!(q.pop_unthrottled(100).is_none());
        assert_eq!(q.next_due(), None);
        let order: Vec<_> = std::iter::from_fn(|| q.start_next("wh_1", 8))
            .map(|w| w.id)
            .collect();
        assert_eq!(
            order,
            ["msg_0".into(), "msg_1".into(), "msg_2".into()] as [Box<str>; 3]
        );
    }

    #[test]
    fn a_pause_is_extended_by_a_longer_one_never_shortened() {
        let mut q = Queue::default();
        let w = q.admit(delivery(1, "wh_1"));
        q.schedule(w, 50);
        assert_eq!(
            q.throttle("wh_1", 100),
            Some(false),
            "a delivery comes due first"
        );
        assert_eq!(q.throttle("wh_1", 80), None, "shorter: kept");
        assert_eq!(q.throttle("wh_1", 100), None, "as long: kept");
        assert_eq!(q.throttled_until("wh_1"), Some(100));
        assert_eq!(q.throttle("wh_1", 200), Some(false));
        assert_eq!(q.throttled_until("wh_1"), Some(200));
        assert_eq!(q.pauses.len(), 1, "one entry per endpoint");
        q.pop_due(50).unwrap();
        assert_eq!(q.next_due(), Some(200));
        assert!(q.pop_unthrottled(150).is_none(), "the old end is gone");
        assert_eq!(q.pop_unthrottled(200).as_deref(), Some("wh_1"));
    }

    #[test]
    fn a_pause_outlives_the_endpoints_last_delivery_and_no_longer() {
        let mut q = Queue::default();
        ready(&mut q, 0, "wh_1");
        q.start_next("wh_1", 8).unwrap();
        // The answer asks for a pause, then the attempt gives its slot back.
        q.throttle("wh_1", 100);
        q.release("wh_1");
        ready(&mut q, 1, "wh_1");
        assert!(q.start_next("wh_1", 8).is_none(), "still paused");
        q.pop_unthrottled(100).unwrap();
        q.start_next("wh_1", 8).unwrap();
        q.release("wh_1");
        assert!(q.endpoints.is_empty(), "nothing left to remember");
        // Paused with nothing waiting: forgotten when the pause ends.
        q.throttle("wh_2", 100);
        assert!(q.endpoints.contains_key("wh_2"));
        q.pop_unthrottled(100).unwrap();
        assert!(q.endpoints.is_empty());
    }

    #[test]
    fn unthrottle_and_clear_end_pauses() {
        let mut q = Queue::default();
        ready(&mut q, 0, "wh_1");
        q.throttle("wh_1", 100);
        q.throttle("wh_2", 100);
        assert!(q.unthrottle("wh_1"));
        assert!(!q.unthrottle("wh_1"));
        assert!(!q.unthrottle("wh_nope"));
        assert_eq!(&*q.start_next("wh_1", 8).unwrap().id, "msg_0");
        assert_eq!(q.pauses.len(), 1);
        q.clear();
        assert!(q.pauses.is_empty());
        assert_eq!(q.next_due(), None);
        q.release("wh_1");
        assert!(q.endpoints.is_empty(), "wh_2's pause went with the clear");
    }
}
