//! Crate-internal big-endian reader and writer for EDT bytes.

use crate::error::{Error, Result};

/// Reads big-endian fields from an EDT; any shortfall or leftover is `BadEdtLength`.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    epc: u8,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(epc: u8, data: &'a [u8]) -> Self {
        Reader { data, pos: 0, epc }
    }

    fn err(&self) -> Error {
        Error::bad_len(self.epc, self.data.len())
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let out = self
            .data
            .get(self.pos..self.pos + n)
            .ok_or_else(|| self.err())?;
        self.pos += n;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let b = self.bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(b);
        Ok(out)
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u24(&mut self) -> Result<u32> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn i16(&mut self) -> Result<i16> {
        Ok(i16::from_be_bytes(self.array()?))
    }

    pub(crate) fn i32(&mut self) -> Result<i32> {
        Ok(i32::from_be_bytes(self.array()?))
    }

    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    pub(crate) fn rest(&mut self) -> &'a [u8] {
        let out = self.data.get(self.pos..).unwrap_or(&[]);
        self.pos = self.data.len();
        out
    }

    /// Require that every byte was consumed.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.pos == self.data.len() {
            Ok(())
        } else {
            Err(self.err())
        }
    }

    pub(crate) fn epc(&self) -> u8 {
        self.epc
    }
}

/// Writes big-endian fields into a caller buffer; overflow is `BufferTooSmall`.
pub(crate) struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    pub(crate) fn bytes(&mut self, b: &[u8]) -> Result<()> {
        let out = self
            .buf
            .get_mut(self.pos..self.pos + b.len())
            .ok_or(Error::BufferTooSmall)?;
        out.copy_from_slice(b);
        self.pos += b.len();
        Ok(())
    }

    pub(crate) fn u8(&mut self, v: u8) -> Result<()> {
        self.bytes(&[v])
    }

    pub(crate) fn u16(&mut self, v: u16) -> Result<()> {
        self.bytes(&v.to_be_bytes())
    }

    pub(crate) fn u24(&mut self, v: u32) -> Result<()> {
        self.bytes(&v.to_be_bytes()[1..])
    }

    pub(crate) fn u32(&mut self, v: u32) -> Result<()> {
        self.bytes(&v.to_be_bytes())
    }

    pub(crate) fn i16(&mut self, v: i16) -> Result<()> {
        self.bytes(&v.to_be_bytes())
    }

    pub(crate) fn i32(&mut self, v: i32) -> Result<()> {
        self.bytes(&v.to_be_bytes())
    }

    pub(crate) fn len(&self) -> usize {
        self.pos
    }
}
