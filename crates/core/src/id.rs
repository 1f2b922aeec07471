/// A new opaque id such as `acc_0193c4…`: a short prefix naming the kind of thing, so that
/// an id pasted into a log or a support ticket says what it is, then a UUIDv7, so ids sort
/// by creation time and index well.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_are_unique() {
        let a = new_id("acc");
        let b = new_id("acc");
        assert!(a.starts_with("acc_"));
        assert_eq!(a.len(), 4 + 32);
        assert_ne!(a, b);
    }
}
