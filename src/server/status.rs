//! The states the API names, as types: a planning job's state and a
//! driver's outcome at a stop. The store keeps them as their lower-case
//! names; the OpenAPI document derives their schemas from these types, so
//! the list a client reads is the list the server checks.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a planning job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Admitted, waiting for a solver thread.
    Queued,
    /// Being solved (progress is reported).
    Running,
    /// Solved; its plan is stored (`plan_id`).
    Done,
    /// Ended without a plan; `error` says why.
    Failed,
    /// Cancelled by its caller before it ended.
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Queued,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
        JobState::Cancelled,
    ];

    /// Its name in the API and in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    /// A state read back from the store. Only this server writes the
    /// column; a name it does not know (a row edited by hand) reads as
    /// failed, so that nobody waits for that job.
    pub fn stored(name: &str) -> JobState {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == name)
            .unwrap_or(JobState::Failed)
    }

    /// Whether the job has ended (nothing more will happen to it).
    pub fn is_over(self) -> bool {
        matches!(
            self,
            JobState::Done | JobState::Failed | JobState::Cancelled
        )
    }
}

impl std::fmt::Display for JobState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a driver reports of a stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Collected or delivered.
    Done,
    /// Not served; the reason says why.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Failed => "failed",
        }
    }

    /// An outcome read back from the store (written only by this server;
    /// an unknown name reads as failed, which asks for a re-plan rather
    /// than counting devices nobody confirmed).
    pub fn stored(name: &str) -> Outcome {
        if name == "done" {
            Outcome::Done
        } else {
            Outcome::Failed
        }
    }
}

/// Why a stop failed, as the driver's page offers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Nobody there.
    Absent,
    /// The place was closed.
    Closed,
    /// The devices were not ready.
    NotReady,
    /// The donor or the commune refused.
    Refused,
    /// The van could not get there (works, no parking).
    NoAccess,
    /// No room left in the van.
    VehicleFull,
    Other,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Absent => "absent",
            Reason::Closed => "closed",
            Reason::NotReady => "not_ready",
            Reason::Refused => "refused",
            Reason::NoAccess => "no_access",
            Reason::VehicleFull => "vehicle_full",
            Reason::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_state_reads_back_as_itself_and_serialises_as_its_name() {
        for s in JobState::ALL {
            assert_eq!(JobState::stored(s.as_str()), s);
            assert_eq!(
                serde_json::to_value(s).ok(),
                Some(serde_json::json!(s.as_str()))
            );
        }
        assert_eq!(JobState::stored("lost"), JobState::Failed);
        for o in [Outcome::Done, Outcome::Failed] {
            assert_eq!(Outcome::stored(o.as_str()), o);
            assert_eq!(
                serde_json::to_value(o).ok(),
                Some(serde_json::json!(o.as_str()))
            );
        }
    }
}
