//! Refresh-token rotation's state in the memory store: revoked families and spent tokens.

use std::collections::HashMap;

use super::MIN_SWEEP;
use crate::kind::TokenType;
use crate::token::TokenData;

/// A refresh token spent under rotation.
#[derive(Clone, Copy)]
pub(super) struct SpentToken {
    /// Presented again after this, it is reuse.
    pub(super) reuse_until: i64,
    /// How long its family's revocation is kept, should it be reused.
    pub(super) family_keep_until: i64,
    /// Forget the entry after this (the token has expired).
    pub(super) keep_until: i64,
}

/// Refresh-token rotation's state: revoked families and spent tokens.
#[derive(Default)]
pub(super) struct Families {
    pub(super) revoked: HashMap<Box<str>, i64>,
    pub(super) spent: HashMap<Box<str>, SpentToken>,
    sweep_at: usize,
}

impl Families {
    pub(super) fn revoke(&mut self, family: &str, keep_until: i64) {
        let entry = self.revoked.entry(family.into()).or_insert(keep_until);
        *entry = (*entry).max(keep_until);
    }

    pub(super) fn is_revoked(&self, family: Option<&str>, now: i64) -> bool {
        family
            .and_then(|family| self.revoked.get(family))
            .is_some_and(|until| *until > now)
    }

    /// A spent refresh token past its reuse interval is reuse: its family is revoked.
    pub(super) fn detect_reuse(&mut self, token: &TokenData, now: i64) -> bool {
        let spent = match (token.token_type(), token.jti()) {
            (TokenType::Refresh, Some(jti)) => self.spent.get(jti).copied(),
            _ => None,
        };
        match spent {
            Some(spent) if spent.keep_until > now && now > spent.reuse_until => {
                if let Some(family) = token.family() {
                    self.revoke(family, spent.family_keep_until);
                }
                true
            }
            _ => false,
        }
    }

    /// Drops what has expired once the maps doubled since the last sweep.
    pub(super) fn sweep(&mut self, now: i64) {
        let len = self.revoked.len() + self.spent.len();
        if len >= self.sweep_at.max(MIN_SWEEP) {
            self.revoked.retain(|_, until| *until > now);
            self.spent.retain(|_, spent| spent.keep_until > now);
            self.sweep_at = (self.revoked.len() + self.spent.len()) * 2;
        }
    }
}
