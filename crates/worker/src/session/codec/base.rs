//! The binary form's primitives: the writer and reader, the [`Wire`] trait and its forms for
//! integers (LEB128 varints, signed ones zigzag), `bool`, `char`, strings, byte strings,
//! `Option`, `Vec`, tuples and field-less enums by index. The session's own types are in the
//! parent module.

/// Bytes being written.
#[derive(Default)]
pub struct Writer(pub Vec<u8>);

/// Bytes being read.
pub struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Writer {
    pub(super) fn byte(&mut self, v: u8) {
        self.0.push(v);
    }

    pub(super) fn uint(&mut self, mut v: u128) {
        loop {
            let b = (v & 0x7F) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }

    pub(super) fn int(&mut self, v: i128) {
        self.uint(((v << 1) ^ (v >> 127)) as u128);
    }

    pub(super) fn bytes(&mut self, b: &[u8]) {
        self.uint(b.len() as u128);
        self.0.extend_from_slice(b);
    }
}

impl<'a> Reader<'a> {
    /// A reader at the start of `b`.
    pub fn new(b: &'a [u8]) -> Self {
        Self { b, at: 0 }
    }

    /// Whether every byte was read.
    pub fn done(&self) -> bool {
        self.at == self.b.len()
    }

    pub(super) fn byte(&mut self) -> Option<u8> {
        let v = *self.b.get(self.at)?;
        self.at += 1;
        Some(v)
    }

    pub(super) fn uint(&mut self) -> Option<u128> {
        let mut v: u128 = 0;
        for shift in (0..128).step_by(7) {
            let b = self.byte()?;
            v |= u128::from(b & 0x7F).checked_shl(shift)?;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    pub(super) fn int(&mut self) -> Option<i128> {
        let u = self.uint()?;
        Some(((u >> 1) as i128) ^ -((u & 1) as i128))
    }

    pub(super) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = usize::try_from(self.uint()?).ok()?;
        let end = self.at.checked_add(n)?;
        let s = self.b.get(self.at..end)?;
        self.at = end;
        Some(s)
    }

    /// A count of items still to read, each at least one byte (so no count can make a decoder
    /// reserve more than the input holds).
    pub(super) fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.uint()?).ok()?;
        (n <= self.b.len() - self.at).then_some(n)
    }
}

/// A value with a binary form.
pub trait Wire: Sized {
    /// Append the value.
    fn put(&self, w: &mut Writer);
    /// Read a value; `None` when the bytes are not one.
    fn get(r: &mut Reader<'_>) -> Option<Self>;
}

/// The value as bytes.
pub fn encode<T: Wire>(v: &T) -> Vec<u8> {
    let mut w = Writer::default();
    v.put(&mut w);
    w.0
}

/// A value from bytes, all of them.
pub fn decode<T: Wire>(b: &[u8]) -> Option<T> {
    let mut r = Reader::new(b);
    let v = T::get(&mut r)?;
    r.done().then_some(v)
}

macro_rules! uints {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                w.uint(u128::from(*self));
            }
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                <$t>::try_from(r.uint()?).ok()
            }
        }
    )*};
}
uints!(u8, u16, u32, u64);

macro_rules! ints {
    ($($t:ty),*) => {$(
        impl Wire for $t {
            fn put(&self, w: &mut Writer) {
                w.int(i128::from(*self));
            }
            fn get(r: &mut Reader<'_>) -> Option<Self> {
                <$t>::try_from(r.int()?).ok()
            }
        }
    )*};
}
ints!(i16, i32, i64, i128);

impl Wire for bool {
    fn put(&self, w: &mut Writer) {
        w.byte(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

impl Wire for char {
    fn put(&self, w: &mut Writer) {
        w.uint(u128::from(u32::from(*self)));
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        char::from_u32(u32::get(r)?)
    }
}

impl Wire for String {
    fn put(&self, w: &mut Writer) {
        w.bytes(self.as_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        String::from_utf8(r.bytes()?.to_vec()).ok()
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            None => w.byte(0),
            Some(v) => {
                w.byte(1);
                v.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        match r.byte()? {
            0 => Some(None),
            1 => Some(Some(T::get(r)?)),
            _ => None,
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u128);
        for v in self {
            v.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        let n = r.count()?;
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            v.push(T::get(r)?);
        }
        Some(v)
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some((A::get(r)?, B::get(r)?))
    }
}

impl<A: Wire, B: Wire, C: Wire> Wire for (A, B, C) {
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
        self.2.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Option<Self> {
        Some((A::get(r)?, B::get(r)?, C::get(r)?))
    }
}

/// A field-less enum as its index in a table of its values.
pub(super) fn put_index<T: PartialEq>(all: &[T], v: &T, w: &mut Writer) {
    w.uint(all.iter().position(|x| x == v).unwrap_or(0) as u128);
}

pub(super) fn get_index<T: Copy>(all: &[T], r: &mut Reader<'_>) -> Option<T> {
    all.get(usize::try_from(r.uint()?).ok()?).copied()
}

/// Byte strings as themselves (a `Vec<u8>` field would be a varint per byte).
pub(super) fn put_blob(b: &[u8], w: &mut Writer) {
    w.bytes(b);
}

pub(super) fn get_blob(r: &mut Reader<'_>) -> Option<Vec<u8>> {
    Some(r.bytes()?.to_vec())
}
