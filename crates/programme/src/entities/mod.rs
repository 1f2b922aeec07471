//! sea-orm entities mirroring the programme's tables (migrations `m20261202_000021_programme` and on).

pub mod event_shop;
pub mod event_visitor_count;
pub mod joint_project;
pub mod project_file;
pub mod project_milestone;
pub mod project_spending;
pub mod stall_sale;
pub mod stall_sale_line;
pub mod support_participant;
pub mod support_session;
pub mod tour;
pub mod tour_photo;
pub mod tour_stamp;
pub mod tour_stop;
