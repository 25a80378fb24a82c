//! Options the checks read, with the defaults of the check catalogue. The configuration
//! file (`sagescan.toml`) overrides them; checks never read the file themselves.

/// Check options. `Default` gives the catalogue's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// VPCE101: interface endpoint services a VPC hosting SageMaker workloads needs.
    pub required_endpoints: EndpointRequirements,
    /// NFW108: allow-list entries that admit too much. An entry matches when it equals one
    /// of these, or is a suffix pattern covering one (`.amazonaws.com` covers
    /// `.s3.amazonaws.com`); a lone TLD (`.com`) always matches.
    pub too_broad_domains: Vec<String>,
    /// OPS102: tag keys every resource must carry (none by default: the check is off
    /// until configured).
    pub required_tags: Vec<String>,
    /// OPS104: the tag key that names a resource's environment.
    pub environment_tag: String,
    /// SG104: ports a SageMaker workload's security group may admit from inside the VPC.
    pub authorized_ingress_ports: Vec<u16>,
    /// SG103, NACL101: ports that must never be open to the world.
    pub admin_ports: Vec<u16>,
    /// VPC101: whether a flow log must capture `ALL` traffic (else `REJECT` also passes).
    pub flow_logs_require_all: bool,
}

/// Interface endpoint services by what the VPC hosts, as service-name suffixes
/// (`sagemaker.api` matches `com.amazonaws.us-east-1.sagemaker.api`).
#[derive(Clone, Debug, PartialEq)]
pub struct EndpointRequirements {
    /// Any VPC hosting a SageMaker workload.
    pub any_workload: Vec<String>,
    /// VPCs hosting a Studio domain in `VpcOnly` mode.
    pub studio_vpc_only: Vec<String>,
    /// VPCs hosting a model or job whose images come from a private ECR registry.
    pub private_ecr: Vec<String>,
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

impl Default for EndpointRequirements {
    fn default() -> Self {
        EndpointRequirements {
            any_workload: strings(&["sagemaker.api", "sagemaker.runtime"]),
            studio_vpc_only: strings(&["sts", "logs"]),
            private_ecr: strings(&["ecr.api", "ecr.dkr"]),
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            required_endpoints: EndpointRequirements::default(),
            too_broad_domains: strings(&[
                ".amazonaws.com",
                ".s3.amazonaws.com",
                ".cloudfront.net",
                ".githubusercontent.com",
                ".blob.core.windows.net",
                ".googleapis.com",
                ".azurewebsites.net",
                ".herokuapp.com",
                ".ngrok.io",
                ".ngrok-free.app",
                "pastebin.com",
                ".pastebin.com",
                "paste.ee",
                "transfer.sh",
                "gist.github.com",
                ".dropboxusercontent.com",
                "docs.google.com",
                "drive.google.com",
            ]),
            required_tags: Vec::new(),
            environment_tag: "Environment".to_string(),
            authorized_ingress_ports: vec![443],
            admin_ports: vec![
                22, 3389, 23, 21, 445, 3306, 5432, 1433, 6379, 9200, 27017, 8888,
            ],
            flow_logs_require_all: false,
        }
    }
}
