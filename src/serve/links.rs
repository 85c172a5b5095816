//! Short-lived links to made assets: kept in memory only, for a few
//! minutes, under a total byte cap (the oldest go first), never on disk.
//! A link is a random token no one can guess.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// One kit's files behind one token.
struct Entry {
    files: HashMap<String, Vec<u8>>,
    bytes: usize,
}

/// The links the server holds.
pub struct Links {
    ttl: Duration,
    cap: usize,
    used: usize,
    entries: HashMap<String, Entry>,
    /// Tokens by the time they expire, oldest first.
    order: VecDeque<(Instant, String)>,
}

impl Links {
    /// Links that last `ttl`, `cap` bytes in all.
    pub fn new(ttl: Duration, cap: usize) -> Links {
        Links {
            ttl,
            cap,
            used: 0,
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn drop_oldest(&mut self) -> bool {
        let Some((_, token)) = self.order.pop_front() else {
            return false;
        };
        if let Some(e) = self.entries.remove(&token) {
            self.used -= e.bytes;
        }
        true
    }

    fn expire(&mut self, now: Instant) {
        while self.order.front().is_some_and(|(t, _)| *t <= now) {
            self.drop_oldest();
        }
    }

    /// Keeps `files` (name → bytes) behind a new token; None when they do
    /// not fit under the cap even alone, or no random token can be had.
    pub fn put(&mut self, files: Vec<(String, Vec<u8>)>) -> Option<String> {
        let now = Instant::now();
        self.expire(now);
        let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
        if bytes > self.cap {
            return None;
        }
        while self.used + bytes > self.cap && self.drop_oldest() {}
        let token = token()?;
        self.used += bytes;
        self.order.push_back((now + self.ttl, token.clone()));
        let files = files.into_iter().collect();
        self.entries.insert(token.clone(), Entry { files, bytes });
        Some(token)
    }

    /// The file `name` behind `token`, while it lasts.
    pub fn get(&mut self, token: &str, name: &str) -> Option<Vec<u8>> {
        self.expire(Instant::now());
        self.entries.get(token)?.files.get(name).cloned()
    }

    /// Bytes held now.
    #[cfg(test)]
    pub fn used(&self) -> usize {
        self.used
    }
}

/// 128 random bits, as hex.
fn token() -> Option<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).ok()?;
    Some(b.iter().map(|x| format!("{x:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_expire_and_stay_under_the_cap() {
        let mut links = Links::new(Duration::from_millis(50), 100);
        let a = links.put(vec![("a.png".into(), vec![1; 60])]).unwrap();
        assert_eq!(links.get(&a, "a.png").unwrap().len(), 60);
        assert!(links.get(&a, "b.png").is_none());
        // A second kit that does not fit beside the first pushes it out.
        let b = links.put(vec![("b.png".into(), vec![2; 50])]).unwrap();
        assert!(links.get(&a, "a.png").is_none());
        assert_eq!(links.used(), 50);
        // Too large alone: no link.
        assert!(links.put(vec![("c.png".into(), vec![3; 101])]).is_none());
        std::thread::sleep(Duration::from_millis(80));
        assert!(links.get(&b, "b.png").is_none(), "expired");
        assert_eq!(links.used(), 0);
        assert_ne!(token().unwrap(), token().unwrap());
        assert_eq!(token().unwrap().len(), 32);
    }
}
