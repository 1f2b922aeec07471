use serde::Serialize;

/// One input field that failed, named as the client sent it (`email`, `items[2].quantity`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// Every field that failed in one request, so a client can show them all at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("invalid input: {}", .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = Self::new();
        errors.add(field, message);
        errors
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when nothing failed, so a validator can end with `errors.into_result()`.
    pub fn into_result(self) -> Result<(), Self> {
        if self.is_empty() { Ok(()) } else { Err(self) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_failed_field() {
        let mut errors = ValidationErrors::new();
        assert_eq!(errors.clone().into_result(), Ok(()));
        errors.add("email", "must be an email address");
        errors.add("password", "must be at least 8 characters");
        let err = errors.into_result().unwrap_err();
        assert_eq!(err.0.len(), 2);
        assert_eq!(
            err.to_string(),
            "invalid input: email: must be an email address; password: must be at least 8 characters"
        );
    }
}
