//! A webhook's profile: the provider the sender imitates. It fixes the body's envelope
//! (`delivery::payload`), the provider's headers besides the signature (the catalog's
//! `<profile>/_profile.json`), the retry schedule (`delivery::schedule`) and the
//! `hookproof::Scheme` the deliveries are signed with. Every scheme is the profile of its
//! own provider (`stripe` signs with `Scheme::Stripe`); `vectorco` (Vector.co, which
//! documents no signature) signs with the generic scheme, `X-Webhook-Signature`.
//!
//! Parsed from its name once, where it enters (the API, `--config`, the CLI, a stored
//! record), and passed on as this type; serialized by its name.

use std::fmt;
use std::str::FromStr;

use hookproof::Scheme;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    Standard,
    Svix,
    Stripe,
    Vector,
    Github,
    Slack,
    Shopify,
    Vercel,
    Generic,
    /// Vector.co: `{event, timestamp, contact|company, segment}`, signed with the generic
    /// scheme.
    VectorCo,
}

impl Profile {
    /// Every profile: each scheme's, in `Scheme::ALL`'s order, then those that sign with
    /// another provider's scheme.
    pub const ALL: [Profile; 10] = [
        Profile::Standard,
        Profile::Svix,
        Profile::Stripe,
        Profile::Vector,
        Profile::Github,
        Profile::Slack,
        Profile::Shopify,
        Profile::Vercel,
        Profile::Generic,
        Profile::VectorCo,
    ];

    /// A webhook's profile when it names none.
    pub const DEFAULT: Profile = Profile::Vector;

    /// The scheme its deliveries are signed with.
    pub const fn scheme(self) -> Scheme {
        match self {
            Profile::Standard => Scheme::Standard,
            Profile::Svix => Scheme::Svix,
            Profile::Stripe => Scheme::Stripe,
            Profile::Vector => Scheme::Vector,
            Profile::Github => Scheme::Github,
            Profile::Slack => Scheme::Slack,
            Profile::Shopify => Scheme::Shopify,
            Profile::Vercel => Scheme::Vercel,
            Profile::Generic | Profile::VectorCo => Scheme::Generic,
        }
    }

    /// Its name in the API, `--config`, the CLI and the catalog's folders.
    pub fn name(self) -> &'static str {
        match self {
            Profile::VectorCo => "vectorco",
            p => p.scheme().name(),
        }
    }

    /// Every profile's name, in `ALL`'s order.
    pub fn names() -> Vec<&'static str> {
        Profile::ALL.iter().map(|p| p.name()).collect()
    }
}

/// A name that is no profile's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile `{0}`; one of {names}", names = Profile::names().join(", "))]
pub struct UnknownProfile(pub String);

impl FromStr for Profile {
    type Err = UnknownProfile;

    fn from_str(s: &str) -> Result<Profile, UnknownProfile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownProfile(s.to_owned()))
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Profile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Profile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Profile, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_is_its_providers_profile_and_vectorco_signs_generic() {
        for scheme in Scheme::ALL {
            let p: Profile = scheme.name().parse().unwrap();
            assert_eq!(p.scheme(), scheme);
            assert_eq!(p.name(), scheme.name());
            assert_eq!(p.name().parse::<Profile>(), Ok(p));
        }
        assert_eq!(Profile::VectorCo.scheme(), Scheme::Generic);
        assert_eq!("vectorco".parse::<Profile>(), Ok(Profile::VectorCo));
        assert_eq!(Profile::ALL.len(), Scheme::ALL.len() + 1);
    }

    #[test]
    fn serialized_by_name() {
        let json = serde_json::to_string(&Profile::VectorCo).unwrap();
        assert_eq!(json, r#""vectorco""#);
        assert_eq!(
            serde_json::from_str::<Profile>(r#""stripe""#).unwrap(),
            Profile::Stripe
        );
        let err = serde_json::from_str::<Profile>(r#""pigeon""#).unwrap_err();
        assert!(
            err.to_string().contains("unknown profile `pigeon`"),
            "{err}"
        );
    }
}
