//! [`PropertyList`]: a borrowed list of properties, however it is stored.

use super::*;

#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    /// Validated wire bytes holding `count` properties.
    Wire { count: u8, bytes: &'a [u8] },
    /// A caller-provided slice of properties.
    Props(&'a [Property<'a>]),
    /// EPCs only (each with PDC 0).
    Epcs(&'a [u8]),
}

/// A list of properties, borrowed: parsed wire bytes, a slice of [`Property`], or bare EPCs.
///
/// Equality compares the properties, not how the list is stored.
#[derive(Debug, Clone, Copy)]
pub struct PropertyList<'a> {
    source: Source<'a>,
    /// Emit every property with PDC 0 (EPC echo, as in INFC_Res).
    strip_edt: bool,
}

impl<'a> PropertyList<'a> {
    /// The empty list.
    pub const EMPTY: PropertyList<'static> = PropertyList {
        source: Source::Epcs(&[]),
        strip_edt: false,
    };

    /// A list over caller-provided properties.
    pub const fn from_props(props: &'a [Property<'a>]) -> PropertyList<'a> {
        PropertyList {
            source: Source::Props(props),
            strip_edt: false,
        }
    }

    /// A list of EPCs each with PDC 0 (Get, INF_REQ).
    pub const fn epcs(epcs: &'a [u8]) -> PropertyList<'a> {
        PropertyList {
            source: Source::Epcs(epcs),
            strip_edt: false,
        }
    }

    /// Parse `count` wire properties from the start of `data`; return the list and its size.
    pub fn parse(data: &'a [u8], count: u8) -> Result<(PropertyList<'a>, usize)> {
        let end = walk(data, 0, count)?;
        Ok((
            PropertyList {
                source: Source::Wire {
                    count,
                    bytes: &data[..end],
                },
                strip_edt: false,
            },
            end,
        ))
    }

    /// The same EPCs with every EDT dropped (PDC 0), e.g. for an INFC_Res echo.
    pub const fn without_edt(self) -> PropertyList<'a> {
        PropertyList {
            source: self.source,
            strip_edt: true,
        }
    }

    /// Number of properties.
    pub fn len(&self) -> usize {
        match self.source {
            Source::Wire { count, .. } => usize::from(count),
            Source::Props(p) => p.len(),
            Source::Epcs(e) => e.len(),
        }
    }

    /// True if the list holds no property.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Iterate over the properties.
    pub fn iter(&self) -> PropertyListIter<'a> {
        let inner = match self.source {
            Source::Wire { count, bytes } => IterInner::Wire(PropertyIter::new(bytes, count)),
            Source::Props(p) => IterInner::Props(p.iter()),
            Source::Epcs(e) => IterInner::Epcs(e.iter()),
        };
        PropertyListIter {
            inner,
            strip_edt: self.strip_edt,
        }
    }

    /// The first property with this EPC.
    pub fn get(&self, epc: u8) -> Option<Property<'a>> {
        self.iter().find(|p| p.epc == epc)
    }

    /// Bytes the list takes on the wire (without the OPC byte).
    pub fn buffer_len(&self) -> usize {
        self.iter().map(|p| p.buffer_len()).sum()
    }

    /// Write the properties into `buf`; return the number of bytes written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize> {
        if self.len() > usize::from(u8::MAX) {
            return Err(Error::TooLong);
        }
        let mut pos = 0;
        for p in self.iter() {
            let pdc = u8::try_from(p.edt.len()).map_err(|_| Error::TooLong)?;
            let out = buf
                .get_mut(pos..pos + p.buffer_len())
                .ok_or(Error::BufferTooSmall)?;
            out[0] = p.epc;
            out[1] = pdc;
            out[2..].copy_from_slice(p.edt);
            pos += p.buffer_len();
        }
        Ok(pos)
    }
}

impl PartialEq for PropertyList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for PropertyList<'_> {}

impl<'a> IntoIterator for &PropertyList<'a> {
    type Item = Property<'a>;
    type IntoIter = PropertyListIter<'a>;
    fn into_iter(self) -> PropertyListIter<'a> {
        self.iter()
    }
}

#[derive(Debug, Clone)]
enum IterInner<'a> {
    Wire(PropertyIter<'a>),
    Props(core::slice::Iter<'a, Property<'a>>),
    Epcs(core::slice::Iter<'a, u8>),
}

/// Iterator over a [`PropertyList`].
#[derive(Debug, Clone)]
pub struct PropertyListIter<'a> {
    inner: IterInner<'a>,
    strip_edt: bool,
}

impl<'a> Iterator for PropertyListIter<'a> {
    type Item = Property<'a>;

    fn next(&mut self) -> Option<Property<'a>> {
        let p = match &mut self.inner {
            IterInner::Wire(it) => it.next(),
            IterInner::Props(it) => it.next().copied(),
            IterInner::Epcs(it) => it.next().map(|&epc| Property::request(epc)),
        }?;
        Some(if self.strip_edt {
            Property::request(p.epc)
        } else {
            p
        })
    }
}
