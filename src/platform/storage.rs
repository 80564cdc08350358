//! `localStorage`, where available (a private window or a blocked storage simply remembers
//! nothing).

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
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
