//! The provider's own resource usage, reported at exit for benchmarks: with
//! `SAGEMAKER_DEPLOYMENT_USAGE_FILE` set, the process appends one JSON line to
//! that file when it stops (the engine stops it with SIGINT at the end of
//! each operation): its pid, the CPU time it used (user and system, seconds)
//! and its peak resident memory (KiB). Read from `/proc/self` (Linux); where
//! there is none, nothing is written.

use std::io::Write;

/// The variable naming the file to append the report to.
pub const USAGE_FILE_VARIABLE: &str = "SAGEMAKER_DEPLOYMENT_USAGE_FILE";

/// Clock ticks per second of `/proc/<pid>/stat` times (`USER_HZ`, 100 on
/// every Linux architecture the provider is built for).
const TICKS_PER_SECOND: f64 = 100.0;

/// What the process used so far.
#[derive(Debug, Clone, PartialEq)]
pub struct Usage {
    pub user_seconds: f64,
    pub system_seconds: f64,
    pub peak_resident_kib: u64,
}

impl Usage {
    /// This process's usage, from `/proc/self`.
    pub fn of_this_process() -> Option<Usage> {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        Usage::parse(&stat, &status)
    }

    /// Usage from the text of `/proc/<pid>/stat` (utime and stime, fields
    /// 14 and 15, counted after the parenthesised command name) and
    /// `/proc/<pid>/status` (`VmHWM`).
    pub fn parse(stat: &str, status: &str) -> Option<Usage> {
        let after_name = &stat[stat.rfind(')')? + 1..];
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        // `after_name` starts at field 3 (the state).
        let ticks = |field: usize| fields.get(field - 3)?.parse::<f64>().ok();
        let peak_resident_kib = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(Usage {
            user_seconds: ticks(14)? / TICKS_PER_SECOND,
            system_seconds: ticks(15)? / TICKS_PER_SECOND,
            peak_resident_kib,
        })
    }

    /// The report line.
    pub fn to_json_line(&self, pid: u32) -> String {
        format!(
            "{{\"pid\":{pid},\"user_seconds\":{},\"system_seconds\":{},\"peak_resident_kib\":{}}}\n",
            self.user_seconds, self.system_seconds, self.peak_resident_kib
        )
    }
}

/// Appends this process's usage to the file `SAGEMAKER_DEPLOYMENT_USAGE_FILE`
/// names, if it is set. Failures are reported on stderr and otherwise
/// ignored: a benchmark aid never fails the provider.
pub fn report_at_exit() {
    let Some(path) = std::env::var_os(USAGE_FILE_VARIABLE) else {
        return;
    };
    let Some(usage) = Usage::of_this_process() else {
        return;
    };
    let line = usage.to_json_line(std::process::id());
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut file| file.write_all(line.as_bytes()));
    if let Err(error) = written {
        eprintln!("warning: cannot write the usage report: {error}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_stat_and_status_are_read_past_the_command_name() {
        // A command name with spaces and a parenthesis, as `/proc` allows.
        let stat = "4242 (pulumi-resource (x) y) S 1 4242 4242 0 -1 4194560 900 0 0 0 \
                    250 37 0 0 20 0 3 0 123456 1000000 500 18446744073709551615";
        let status = "Name:\tx\nVmPeak:\t  90000 kB\nVmHWM:\t   21504 kB\nVmRSS:\t   20000 kB\n";
        assert_eq!(
            Usage::parse(stat, status),
            Some(Usage {
                user_seconds: 2.5,
                system_seconds: 0.37,
                peak_resident_kib: 21504,
            })
        );
        assert_eq!(Usage::parse("garbage", status), None);
    }

    #[test]
    fn this_process_has_a_usage_on_linux() {
        if cfg!(target_os = "linux") {
            let usage = Usage::of_this_process().expect("/proc/self is readable");
            assert!(usage.peak_resident_kib > 0);
            let line = usage.to_json_line(7);
            let parsed: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(parsed["pid"], 7);
        }
    }
}
