//! Every status and kind of co-delivery, typed: tasks, route batches and their stops.

golmok_core::stored_enum! {
    /// Where a delivery task stands.
    pub enum TaskStatus {
        /// Waiting for a plan to carry it (or left out by the last one).
        Open = "open",
        /// In a planned batch.
        Planned = "planned",
        PickedUp = "picked_up",
        Delivered = "delivered",
        /// Its merchant order will not be delivered (rejected, cancelled).
        Withdrawn = "withdrawn",
        /// Turned into a pick-up at the shop: no courier carries it.
        Pickup = "pickup",
    }
}

golmok_core::stored_enum! {
    /// Where a courier's batch stands.
    pub enum BatchStatus {
        /// Planned; the next plan of the slot may still replace it.
        Planned = "planned",
        /// The courier set out: plans keep it and its courier.
        Started = "started",
        Done = "done",
    }
}

golmok_core::stored_enum! {
    /// A stop of a batch: at a shop, or at a shopper's door.
    pub enum StopKind {
        Pickup = "pickup",
        Dropoff = "dropoff",
    }
}

golmok_core::stored_enum! {
    pub enum StopStatus {
        Pending = "pending",
        Completed = "completed",
        Failed = "failed",
    }
}
