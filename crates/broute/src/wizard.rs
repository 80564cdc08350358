//! The commissioning wizard's step, derived from the engine's phase and the app's facts.
//!
//! The app shows seven steps; which one is current follows from where the engine is, whether
//! the port is open, and — once the engine has stopped — the last step it reached (so a triage
//! card stands where the trouble happened).

use skstack::Instant;

use crate::Phase;

/// One step of the wizard, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WizardStep {
    /// Can this browser talk to a dongle?
    Browser = 1,
    /// Pick the port (or the demo).
    Connect,
    /// The dongle is being recognised and prepared.
    Dongle,
    /// B-route ID and password.
    Credentials,
    /// Looking for the meter.
    Scan,
    /// Joining the meter and learning who it is.
    Join,
    /// Reading.
    Reading,
}

impl WizardStep {
    /// Every step, in order.
    pub const ALL: [WizardStep; 7] = [
        WizardStep::Browser,
        WizardStep::Connect,
        WizardStep::Dongle,
        WizardStep::Credentials,
        WizardStep::Scan,
        WizardStep::Join,
        WizardStep::Reading,
    ];

    /// 1-based number shown to the user.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The step a phase belongs to; `None` for [`Phase::Stopped`] (it belongs to wherever the
    /// engine stopped).
    pub fn of_phase(phase: Phase) -> Option<WizardStep> {
        Some(match phase {
            Phase::Idle => WizardStep::Connect,
            Phase::ExpectDongle | Phase::ExpectSettings => WizardStep::Dongle,
            Phase::ExpectCredentials | Phase::ExpectCredentialsSet => WizardStep::Credentials,
            Phase::ExpectScan => WizardStep::Scan,
            Phase::ExpectChannel
            | Phase::ExpectJoin
            | Phase::ExpectInstanceList
            | Phase::ExpectIdentity => WizardStep::Join,
            Phase::Reading | Phase::ReAuthenticating | Phase::TxLimited | Phase::Reconnecting => {
                WizardStep::Reading
            }
            Phase::Stopped => return None,
        })
    }

    /// The current step: from the engine's `phase`; an idle engine on an open port is already
    /// at the dongle step; a stopped engine stays at the last step its phase `history` reached.
    pub fn derive(phase: Phase, port_open: bool, history: &[(Instant, Phase)]) -> WizardStep {
        match Self::of_phase(phase) {
            Some(WizardStep::Connect) if port_open => WizardStep::Dongle,
            Some(step) => step,
            None => history
                .iter()
                .rev()
                .find_map(|(_, p)| Self::of_phase(*p))
                .unwrap_or(WizardStep::Connect),
        }
    }

    /// True for the steps where the app waits on the radio (scan, join): progress to announce.
    pub fn is_busy(self) -> bool {
        matches!(
            self,
            WizardStep::Dongle | WizardStep::Scan | WizardStep::Join
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_one_to_seven_in_order() {
        let n: Vec<u8> = WizardStep::ALL.iter().map(|s| s.number()).collect();
        assert_eq!(n, [1, 2, 3, 4, 5, 6, 7]);
        assert!(WizardStep::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn phases_map_to_their_steps() {
        use WizardStep as W;
        for (phase, step) in [
            (Phase::ExpectDongle, W::Dongle),
            (Phase::ExpectSettings, W::Dongle),
            (Phase::ExpectCredentials, W::Credentials),
            (Phase::ExpectCredentialsSet, W::Credentials),
            (Phase::ExpectScan, W::Scan),
            (Phase::ExpectChannel, W::Join),
            (Phase::ExpectJoin, W::Join),
            (Phase::ExpectInstanceList, W::Join),
            (Phase::ExpectIdentity, W::Join),
            (Phase::Reading, W::Reading),
            (Phase::ReAuthenticating, W::Reading),
            (Phase::TxLimited, W::Reading),
            (Phase::Reconnecting, W::Reading),
        ] {
            assert_eq!(WizardStep::derive(phase, true, &[]), step, "{phase:?}");
        }
    }

    #[test]
    fn idle_is_connect_until_the_port_opens() {
        assert_eq!(
            WizardStep::derive(Phase::Idle, false, &[]),
            WizardStep::Connect
        );
        assert_eq!(
            WizardStep::derive(Phase::Idle, true, &[]),
            WizardStep::Dongle
        );
    }

    #[test]
    fn stopped_stays_where_the_engine_stopped() {
        let h = [
            (Instant(0), Phase::ExpectDongle),
            (Instant(5), Phase::ExpectScan),
            (Instant(9), Phase::ExpectJoin),
            (Instant(20), Phase::Stopped),
        ];
        assert_eq!(
            WizardStep::derive(Phase::Stopped, true, &h),
            WizardStep::Join
        );
        assert_eq!(
            WizardStep::derive(Phase::Stopped, false, &[(Instant(0), Phase::Stopped)]),
            WizardStep::Connect
        );
        assert!(WizardStep::Scan.is_busy() && !WizardStep::Reading.is_busy());
    }
}
