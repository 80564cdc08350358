//! The decoder's device side: `SKSTACK` replies and events through the framer, `EPANDESC`
//! blocks, and frames (hex dumps, ECHONET Lite, J11) into records.

use super::*;

impl LogDecoder {
    pub(super) fn set_dialect(&mut self, d: Dialect) {
        if self.dialect != Some(d) {
            self.dialect = Some(d);
            self.device.set_dialect(d);
        }
    }

    pub(super) fn close_block(&mut self, out: &mut Vec<Record>) {
        if self.device.block_open() {
            let mut frames = std::mem::take(&mut self.scratch);
            self.device.close_block(self.line_no, &mut frames);
            self.device_frames(&mut frames, self.line_no, None, &Input::default(), b"", out);
            self.scratch = frames;
        }
    }

    pub(super) fn device_line(
        &mut self,
        p: &[u8],
        n: usize,
        dir: Option<Dir>,
        input: &Input,
        raw: &[u8],
        out: &mut Vec<Record>,
    ) {
        let masked = unmask(p);
        let mut inp: Cow<'_, Input> = Cow::Borrowed(input);
        if masked.is_some() {
            inp.to_mut().note(Part::Masked);
        }
        let line = masked.as_deref().unwrap_or(p);
        let was_open = self.device.block_open();
        let mut frames = std::mem::take(&mut self.scratch);
        self.device.feed(line, n, &mut frames);
        self.device_frames(&mut frames, n, dir, &inp, raw, out);
        self.scratch = frames;
        if self.device.block_open() && (!was_open || self.block_meta.is_none()) {
            self.device.edscan = line.trim_ascii() == b"EEDSCAN";
            self.block_meta = Some((dir, inp.into_owned()));
        }
    }

    pub(super) fn device_frames(
        &mut self,
        frames: &mut Vec<device::Out>,
        n: usize,
        dir: Option<Dir>,
        input: &Input,
        raw: &[u8],
        out: &mut Vec<Record>,
    ) {
        for o in frames.drain(..) {
            let (line, end, d, inp) = match o.block {
                Some((a, b)) => {
                    let meta = self.block_meta.take().unwrap_or((dir, input.clone()));
                    (a, (b != a).then_some(b), meta.0, Cow::Owned(meta.1))
                }
                None => (n, None, dir, Cow::Borrowed(input)),
            };
            let before = self.dialect;
            let it = device::item(o.frame, &mut self.dialect);
            if self.dialect != before {
                if let Some(dl) = self.dialect {
                    self.device.set_dialect(dl);
                }
            }
            let shared = self.share(&inp);
            let sensitive = o.block.is_some();
            let push =
                |l: usize, end: Option<usize>, name: &str, body: Body, out: &mut Vec<Record>| {
                    out.push(Record {
                        line: l,
                        end_line: end,
                        name: name.to_string(),
                        dir: d,
                        input: shared.clone(),
                        body,
                        sensitive,
                        epoch: 0,
                    });
                };
            match it {
                Item::Reply(name, f) => push(line, end, name, Body::Reply(f), out),
                Item::Event(name, mut f) => {
                    if name == "EPANDESC" {
                        self.pair_match(&mut f);
                    }
                    push(line, end, name, Body::Event(f), out)
                }
                Item::RxUdp(f, payload) => {
                    push(line, end, "ERXUDP", Body::Event(f), out);
                    if let Some(p) = payload {
                        self.echonet(&p, "ERXUDP", line, None, d, &inp, out);
                    }
                }
                Item::J11(b) => self.j11(&b, line, None, d, &inp, out),
                Item::Skipped("incomplete_block") => {
                    for (l, t) in std::mem::take(&mut self.device.block_text) {
                        let body = Body::Unrecognised(Unrecognised {
                            text: t,
                            reason: Some("incomplete_block".into()),
                        });
                        out.push(Record {
                            line: l,
                            end_line: None,
                            name: "line".to_string(),
                            dir: d,
                            input: shared.clone(),
                            body,
                            // Emitted lines after their own (or at the end): through the rules.
                            sensitive: true,
                            epoch: 0,
                        });
                    }
                }
                Item::Skipped(reason) => self.unrecognised(line, raw, Some(reason), &inp, d, out),
                Item::Other => self.unrecognised(line, raw, None, &inp, d, out),
                Item::None => {}
            }
        }
    }

    pub(super) fn pair_match(&self, f: &mut Fields) {
        if let (Some(known), Some(seen)) =
            (&self.pairing_id, f.get("pair_id").and_then(|v| v.as_str()))
        {
            let m = seen.eq_ignore_ascii_case(known);
            f.insert("pair_id_matches".into(), m.into());
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn frame(
        &mut self,
        kind: FrameKind,
        bytes: &[u8],
        n: usize,
        end: Option<usize>,
        dir: Option<Dir>,
        input: &Input,
        out: &mut Vec<Record>,
    ) {
        match kind {
            FrameKind::Echonet => self.echonet(bytes, "hex", n, end, dir, input, out),
            FrameKind::J11 => self.j11(bytes, n, end, dir, input, out),
        }
    }

    pub(super) fn emit_frame(&mut self, p: Pending, out: &mut Vec<Record>) {
        let end = (p.end != p.line).then_some(p.end);
        let start = out.len();
        self.frame(p.kind, &p.bytes, p.line, end, p.dir, &p.input, out);
        if end.is_some() {
            // A secret may be split over the lines.
            for r in &mut out[start..] {
                r.sensitive = true;
            }
        }
    }

    /// Emit a frame that waited for more lines and got none: its records come out with
    /// another line (or at the end), whose redaction check is not theirs, so the rules see
    /// them.
    pub(super) fn emit_pending(&mut self, p: Pending, out: &mut Vec<Record>) {
        let start = out.len();
        self.emit_frame(p, out);
        for r in &mut out[start..] {
            r.sensitive = true;
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn echonet(
        &mut self,
        bytes: &[u8],
        source: &str,
        n: usize,
        end: Option<usize>,
        dir: Option<Dir>,
        input: &Input,
        out: &mut Vec<Record>,
    ) {
        let (name, fields): (String, EchonetFields) =
            echonet_typing::frame(bytes, source, &mut self.scales);
        let mut r = self.rec(n, &name, dir, input, Body::Echonet(Box::new(fields)));
        r.end_line = end;
        out.push(r);
    }

    pub(super) fn j11(
        &mut self,
        bytes: &[u8],
        n: usize,
        end: Option<usize>,
        dir: Option<Dir>,
        input: &Input,
        out: &mut Vec<Record>,
    ) {
        match j11_typing::decode(bytes) {
            Ok(it) => {
                if let Some((id, pw)) = &it.credentials {
                    self.remember_secret(id.as_bytes(), true);
                    self.remember_secret(pw.as_bytes(), false);
                }
                let mut r = self.rec(n, &it.name, Some(it.dir), input, Body::J11(it.fields));
                r.end_line = end;
                out.push(r);
                if let Some(p) = it.echonet {
                    self.echonet(&p, "j11", n, end, Some(it.dir), input, out);
                }
            }
            Err(e) => {
                let mut f = Fields::new();
                f.insert("error".into(), e.into());
                f.insert("raw".into(), hex(bytes).into());
                let mut r = self.rec(n, "malformed", dir, input, Body::J11(f));
                r.end_line = end;
                out.push(r);
            }
        }
    }
}
