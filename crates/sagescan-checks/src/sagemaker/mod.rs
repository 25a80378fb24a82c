//! SageMaker workload checks (SM1xx): attributes of notebooks, models, endpoints, Studio
//! domains, training, processing and monitoring jobs that decide their network exposure.

pub mod notebook_direct_internet_access;
