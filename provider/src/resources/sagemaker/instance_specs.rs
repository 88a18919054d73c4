//! What each SageMaker hosting instance type offers an inference component:
//! vCPUs, memory and accelerator devices (GPUs, or Inferentia/Trainium
//! chips). The one table of these facts in the provider.
//!
//! Source: the "Instance details" of Amazon SageMaker AI pricing (real-time
//! inference) and the Amazon EC2 instance-type specifications of the
//! general purpose, compute optimized, memory optimized and accelerated
//! computing families (vCPUs, memory in GiB, GPUs or accelerator chips).
//! A SageMaker `ml.<type>` runs on the EC2 `<type>` of the same name.
//! Types that are not listed are valid hosting types whose specifications
//! the provider does not know: their compute requirements are not checked.

/// The resources of one instance type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstanceSpec {
    /// The SageMaker instance type, e.g. `ml.g5.xlarge`.
    pub instance_type: &'static str,
    /// Virtual CPUs.
    pub vcpus: u32,
    /// Memory in GiB.
    pub memory_gib: u32,
    /// Accelerator devices: NVIDIA GPUs, or AWS Inferentia/Trainium chips.
    pub accelerators: u32,
}

impl InstanceSpec {
    /// Memory in MiB, the unit of an inference component's requirements.
    pub fn memory_mib(&self) -> u64 {
        u64::from(self.memory_gib) * 1024
    }
}

const fn spec(
    instance_type: &'static str,
    vcpus: u32,
    memory_gib: u32,
    accelerators: u32,
) -> InstanceSpec {
    InstanceSpec {
        instance_type,
        vcpus,
        memory_gib,
        accelerators,
    }
}

/// The known instance types.
pub const INSTANCE_SPECS: &[InstanceSpec] = &[
    // General purpose.
    spec("ml.t2.medium", 2, 4, 0),
    spec("ml.t2.large", 2, 8, 0),
    spec("ml.t2.xlarge", 4, 16, 0),
    spec("ml.t2.2xlarge", 8, 32, 0),
    spec("ml.m5.large", 2, 8, 0),
    spec("ml.m5.xlarge", 4, 16, 0),
    spec("ml.m5.2xlarge", 8, 32, 0),
    spec("ml.m5.4xlarge", 16, 64, 0),
    spec("ml.m5.12xlarge", 48, 192, 0),
    spec("ml.m5.24xlarge", 96, 384, 0),
    spec("ml.m6i.large", 2, 8, 0),
    spec("ml.m6i.xlarge", 4, 16, 0),
    spec("ml.m6i.2xlarge", 8, 32, 0),
    spec("ml.m6i.4xlarge", 16, 64, 0),
    // Compute optimized.
    spec("ml.c5.large", 2, 4, 0),
    spec("ml.c5.xlarge", 4, 8, 0),
    spec("ml.c5.2xlarge", 8, 16, 0),
    spec("ml.c5.4xlarge", 16, 32, 0),
    spec("ml.c5.9xlarge", 36, 72, 0),
    spec("ml.c5.18xlarge", 72, 144, 0),
    spec("ml.c6i.large", 2, 4, 0),
    spec("ml.c6i.xlarge", 4, 8, 0),
    spec("ml.c6i.2xlarge", 8, 16, 0),
    spec("ml.c6i.4xlarge", 16, 32, 0),
    // Memory optimized.
    spec("ml.r5.large", 2, 16, 0),
    spec("ml.r5.xlarge", 4, 32, 0),
    spec("ml.r5.2xlarge", 8, 64, 0),
    spec("ml.r5.4xlarge", 16, 128, 0),
    // Accelerated: NVIDIA T4 (g4dn), A10G (g5), L4 (g6), A100 (p4d), H100 (p5).
    spec("ml.g4dn.xlarge", 4, 16, 1),
    spec("ml.g4dn.2xlarge", 8, 32, 1),
    spec("ml.g4dn.4xlarge", 16, 64, 1),
    spec("ml.g4dn.8xlarge", 32, 128, 1),
    spec("ml.g4dn.12xlarge", 48, 192, 4),
    spec("ml.g4dn.16xlarge", 64, 256, 1),
    spec("ml.g5.xlarge", 4, 16, 1),
    spec("ml.g5.2xlarge", 8, 32, 1),
    spec("ml.g5.4xlarge", 16, 64, 1),
    spec("ml.g5.8xlarge", 32, 128, 1),
    spec("ml.g5.12xlarge", 48, 192, 4),
    spec("ml.g5.16xlarge", 64, 256, 1),
    spec("ml.g5.24xlarge", 96, 384, 4),
    spec("ml.g5.48xlarge", 192, 768, 8),
    spec("ml.g6.xlarge", 4, 16, 1),
    spec("ml.g6.2xlarge", 8, 32, 1),
    spec("ml.g6.4xlarge", 16, 64, 1),
    spec("ml.g6.8xlarge", 32, 128, 1),
    spec("ml.g6.12xlarge", 48, 192, 4),
    spec("ml.g6.16xlarge", 64, 256, 1),
    spec("ml.g6.24xlarge", 96, 384, 4),
    spec("ml.g6.48xlarge", 192, 768, 8),
    spec("ml.p4d.24xlarge", 96, 1152, 8),
    spec("ml.p5.48xlarge", 192, 2048, 8),
    // AWS Inferentia2 chips.
    spec("ml.inf2.xlarge", 4, 16, 1),
    spec("ml.inf2.8xlarge", 32, 128, 1),
    spec("ml.inf2.24xlarge", 96, 384, 6),
    spec("ml.inf2.48xlarge", 192, 768, 12),
];

/// The resources of `instance_type`, when the table knows it.
pub fn instance_spec(instance_type: &str) -> Option<&'static InstanceSpec> {
    INSTANCE_SPECS
        .iter()
        .find(|spec| spec.instance_type == instance_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::sagemaker::variant_rules::instance_type_problem;

    #[test]
    fn every_listed_type_is_a_hosting_type_listed_once() {
        let mut seen = std::collections::BTreeSet::new();
        for spec in INSTANCE_SPECS {
            assert_eq!(instance_type_problem(spec.instance_type), None, "{spec:?}");
            assert!(seen.insert(spec.instance_type), "{spec:?} listed twice");
            assert!(spec.vcpus >= 2 && spec.memory_gib >= 4, "{spec:?}");
        }
    }

    #[test]
    fn looks_types_up_by_name() {
        let g5 = instance_spec("ml.g5.12xlarge").unwrap();
        assert_eq!(
            (g5.vcpus, g5.memory_mib(), g5.accelerators),
            (48, 196_608, 4)
        );
        assert_eq!(instance_spec("ml.x9.large"), None);
    }
}
