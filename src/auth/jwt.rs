//! Access tokens: HS256 JWTs with `exp`, `iat`, `iss` and `aud` set and checked.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::AuthSettings;

#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct Claims {
    pub sub: Uuid,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
    pub jti: Uuid,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    /// The key before the last rotation, for verification only.
    previous: Option<DecodingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl_secs: i64,
}

pub struct IssuedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub expires_in: i64,
}

impl JwtKeys {
    pub fn new(
        secret: &[u8],
        settings: &AuthSettings,
    ) -> Result<Self, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[settings.jwt_issuer.as_str()]);
        validation.set_audience(&[settings.jwt_audience.as_str()]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.leeway = 30;
        let previous = settings
            .jwt_previous_secret
            .as_ref()
            .map(|p| p.expose().as_bytes())
            .filter(|p| !p.is_empty())
            .map(DecodingKey::from_secret)
            .transpose()?;
        Ok(Self {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            previous,
            validation,
            issuer: settings.jwt_issuer.clone(),
            audience: settings.jwt_audience.clone(),
            ttl_secs: i64::try_from(settings.access_token_ttl_secs).unwrap_or(900),
        })
    }

    pub fn issue(
        &self,
        account_id: Uuid,
        role: &str,
    ) -> Result<IssuedToken, jsonwebtoken::errors::Error> {
        let now = Utc::now();
        let exp = now.timestamp() + self.ttl_secs;
        let claims = Claims {
            sub: account_id,
            role: role.to_owned(),
            iat: now.timestamp(),
            exp,
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            jti: Uuid::new_v4(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)?;
        Ok(IssuedToken {
            token,
            expires_at: DateTime::from_timestamp(exp, 0).unwrap_or(now),
            expires_in: self.ttl_secs,
        })
    }

    /// Only HS256 is accepted, so `alg: none` and algorithm-confusion tokens fail here. A token
    /// whose signature fails under the current key is tried under the previous one, so a key
    /// rotation logs nobody out: those tokens live out their (short) lifetime.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        use jsonwebtoken::errors::ErrorKind;
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation) {
            Err(e) if matches!(e.kind(), ErrorKind::InvalidSignature) => match &self.previous {
                Some(previous) => jsonwebtoken::decode::<Claims>(token, previous, &self.validation),
                None => Err(e),
            },
            other => other,
        }
        .map(|data| data.claims)
    }
}
