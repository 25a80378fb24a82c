//! AWS Network Firewall checks (NFW1xx): resilience, logging, encryption, and whether a domain allow-list is enforced, tight and not bypassable.
