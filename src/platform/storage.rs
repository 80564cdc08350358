//! `localStorage` and `sessionStorage` (this tab only, survives a reload), where available (a
//! private window or a blocked storage simply remembers nothing).

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The value stored under `key` for this tab (`sessionStorage`).
pub fn tab_get(key: &str) -> Option<String> {
    session()?.get_item(key).ok().flatten()
}

/// Store `value` under `key` for this tab (silently nothing if unavailable or full).
pub fn tab_set(key: &str, value: &str) {
    if let Some(s) = session() {
        let _ = s.set_item(key, value);
    }
}

/// Forget `key` for this tab.
pub fn tab_remove(key: &str) {
    if let Some(s) = session() {
        let _ = s.remove_item(key);
    }
}

/// Eight random bytes from the browser's cryptographic generator (`crypto.getRandomValues`),
/// as a number; `None` where there is none.
pub fn random_u64() -> Option<u64> {
    let mut b = [0u8; 8];
    web_sys::window()?
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut b)
        .ok()?;
    Some(u64::from_le_bytes(b))
}

/// The value stored under `key`.
pub fn get(key: &str) -> Option<String> {
    local()?.get_item(key).ok().flatten()
}

/// Store `value` under `key` (silently nothing if storage is unavailable or full).
pub fn set(key: &str, value: &str) {
    if let Some(s) = local() {
        let _ = s.set_item(key, value);
    }
}

/// Forget `key`.
pub fn remove(key: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(key);
    }
}

/// The value of `name` in the page address's query (`?speed=20` → `Some("20")`).
pub fn query_param(name: &str) -> Option<String> {
    let q = web_sys::window()?.location().search().ok()?;
    q.trim_start_matches('?').split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}
