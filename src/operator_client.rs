//! The gateway to a real operator at `OPERATOR_URL`: each request is `POST {OPERATOR_URL}/v1/requests`
//! with the request as JSON (`{"operation": "top_up", "msisdn": …}`), an `Idempotency-Key` header
//! the operator keeps (a request sent again is done once), and `OPERATOR_TOKEN` as a bearer
//! token when set. A 2xx answer means done; 408, 429, 5xx, a timeout or no connection mean try
//! again later; any other 4xx is a refusal for good, with the operator's `message` (or body).
use std::sync::Arc;
use std::time::Duration;

use diesel::PgConnection;

use crate::domain::telco::operator::{OperatorError, OperatorGateway, OperatorRequest};

pub struct HttpOperator {
    url: String,
    token: Option<String>,
    agent: ureq::Agent,
}

impl HttpOperator {
    /// # Errors
    /// No TLS on this machine.
    pub fn new(base_url: &str, token: Option<String>, timeout: Duration) -> Result<Self, String> {
        let tls = native_tls::TlsConnector::new().map_err(|e| format!("operator client TLS: {e}"))?;
        let agent = ureq::AgentBuilder::new()
            .tls_connector(Arc::new(tls))
            .timeout_connect(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .build();
        Ok(Self { url: format!("{}/v1/requests", base_url.trim_end_matches('/')), token, agent })
    }
}

/// The operator's `message`, or the start of its body.
fn message_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
        .unwrap_or_else(|| body.trim().chars().take(300).collect())
}

impl OperatorGateway for HttpOperator {
    fn send(&self, _conn: &mut PgConnection, key: &str, request: &OperatorRequest) -> Result<(), OperatorError> {
        let mut call = self.agent.post(&self.url).set("Idempotency-Key", key);
        if let Some(token) = &self.token {
            call = call.set("Authorization", &format!("Bearer {token}"));
        }
        match call.send_json(request) {
            Ok(_) => Ok(()),
            Err(ureq::Error::Status(code, response)) => {
                let message = message_of(&response.into_string().unwrap_or_default());
                let said = format!("operator answered {code}: {message}");
                if code >= 500 || code == 408 || code == 429 {
                    Err(OperatorError::Transient(said))
                } else {
                    Err(OperatorError::Refused(said))
                }
            }
            Err(e) => Err(OperatorError::Transient(format!("operator unreachable: {e}"))),
        }
    }
}
