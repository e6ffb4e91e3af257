//! Where pending deliveries wait, without a task each: one timer map (due time → delivery)
//! for those waiting for their next attempt, and per endpoint a first-in-first-out queue
//! of those due but waiting for one of its `max_in_flight` slots.
//!
//! A waiting delivery is its id. Up to `LOADED_PER_ENDPOINT` of an endpoint's waiting
//! deliveries also keep their record, so a short queue (the usual case) never reads the
//! store again; past that, the record is dropped (the store has it: a delivery is stored
//! before it is queued) and read back when its turn comes. So a long queue costs ~100
//! bytes per delivery, whatever the body.

use std::collections::{BTreeMap, HashMap, VecDeque};
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
}

impl Endpoint {
    fn is_idle(&self) -> bool {
        self.in_flight == 0 && self.ready.is_empty() && self.loaded == 0
    }
}

#[derive(Debug, Default)]
pub struct Queue {
    /// By due time (Unix ms), then arrival.
    timers: BTreeMap<(i64, u64), Waiting>,
    arrivals: u64,
    endpoints: HashMap<Arc<str>, Endpoint>,
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

    /// When the first timed delivery comes due.
    pub fn next_due(&self) -> Option<i64> {
        self.timers.first_key_value().map(|((at, _), _)| *at)
    }

    /// A timed delivery due at `now` or before, the earliest first.
    pub fn pop_due(&mut self, now: i64) -> Option<Waiting> {
        let entry = self.timers.first_entry()?;
        (entry.key().0 <= now).then(|| entry.remove())
    }

    /// Queues a due delivery behind its endpoint's others.
    pub fn push_ready(&mut self, w: Waiting) {
        let webhook_id = Arc::clone(&w.webhook_id);
        self.endpoint(&webhook_id).1.ready.push_back(w);
    }

    /// The next delivery to attempt to `webhook_id`, if one is ready and a slot is free
    /// (it then holds the slot until `release`).
    pub fn start_next(&mut self, webhook_id: &str, max_in_flight: usize) -> Option<Waiting> {
        let endpoint = self.endpoints.get_mut(webhook_id)?;
        if endpoint.in_flight >= max_in_flight.max(1) {
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

    /// Forgets every waiting delivery (they stay pending in the store); attempts in
    /// flight keep their slots.
    pub fn clear(&mut self) {
        self.timers.clear();
        for endpoint in self.endpoints.values_mut() {
            endpoint.ready.clear();
            endpoint.loaded = 0;
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
}
