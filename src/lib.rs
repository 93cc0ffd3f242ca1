//! tonghop: runs a reporting round of a Party committee end to end, from the
//! catalogue (danh mục chỉ tiêu) to forms (biểu mẫu), ingest of the returned
//! workbooks, checks, and the consolidated workbook and error report.
//!
//! Layout: [`cli`] parses flags, [`commands`] orchestrates, and the domain
//! modules do the work: [`catalog`], [`round`], [`form`] (writing),
//! [`ingest`] (reading), [`check`] (rules), [`consolidate`], [`report`]
//! (output workbooks). Every finding passes through [`diagnostic`]; every
//! cell address through [`cell`].

pub mod atomic;
pub mod catalog;
pub mod cell;
pub mod check;
pub mod cli;
pub mod commands;
pub mod consolidate;
pub mod diagnostic;
pub mod form;
pub mod formula;
pub mod ingest;
pub mod init;
pub mod legacy;
pub mod memory;
pub mod menu;
pub mod print;
pub mod report;
pub mod round;
pub mod synthetic;
pub mod text;
pub mod textfile;
pub mod timing;
