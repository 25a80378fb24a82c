#!/usr/bin/env python3
"""Cross-checks a sagescan JSON report against a gen_tf_corpus.py manifest.

    bench/crosscheck.py CORPUS_DIR REPORT.json

For every violation kind the generator injects, the check that must find it fails on every
module with the kind (recall) and on no module without it (false positives). The NET
reachability checks are also held to their own rule: they may fire only on modules with a
kind that explains them, never on a compliant module. Exits 1 on any miss or false positive.
"""
import collections
import json
import os
import sys

KIND_TO_CODE = {
    "model_no_network_isolation": "SM121", "model_no_vpc_config": "SM122",
    "notebook_direct_internet": "SM111", "notebook_no_vpc": "SM112", "notebook_root_access": "SM113",
    "notebook_no_kms": "SM114", "notebook_imdsv1": "SM115", "endpoint_config_no_kms": "SM132",
    "endpoint_config_single_instance": "SM131", "domain_public_internet": "SM101", "domain_no_kms": "SM102",
    "private_subnet_public_ip": "VPC103", "private_route_to_igw": "SM171", "nacl_open_ingress": "NACL102",
    "default_sg_open": "SG101", "no_flow_log": "VPC101", "sg_ingress_open": "SG104", "sg_egress_open": "SG105",
    "endpoint_private_dns_off": "VPCE103", "missing_interface_endpoints": "VPCE101",
    "no_s3_gateway_endpoint": "VPCE102", "firewall_wide_allowlist": "NFW108",
    "firewall_stateless_pass": "NFW106", "firewall_no_delete_protection": "NFW102",
    "firewall_no_cmk": "NFW110", "firewall_no_logging": "NFW101",
    "firewall_denylist_only": "NFW111",
}

# Reachability consequences of a kind: the NET check must fail wherever the kind is, except
# where another kind takes the path away. A private route to the internet gateway is such a
# kind: SageMaker's interfaces have no public IP, so nothing leaves at all and the deny-list
# firewall is on no path (reachability-semantics §4.1, §8.8 item 5).
NET_CONSEQUENCES = [
    ("firewall_denylist_only", "NET106", {"private_route_to_igw"}),
]

# Kinds that make each reachability verdict true; a NET finding elsewhere is a false positive.
UNRESTRICTED = {"firewall_denylist_only", "firewall_stateless_pass", "firewall_wide_allowlist",
                "notebook_direct_internet", "notebook_no_vpc", "domain_public_internet",
                "model_no_vpc_config", "private_route_to_igw"}
NET_EXPLAINED_BY = {
    "NET101": UNRESTRICTED - {"firewall_denylist_only", "firewall_wide_allowlist"},
    "NET102": {"sg_ingress_open", "nacl_open_ingress", "private_subnet_public_ip", "private_route_to_igw"},
    "NET103": {"no_s3_gateway_endpoint", "missing_interface_endpoints", "endpoint_private_dns_off",
               "private_route_to_igw"},
    "NET104": set(),
    "NET106": UNRESTRICTED,
}


def main(corpus, report_path):
    man = json.load(open(os.path.join(corpus, "corpus-manifest.json")))
    rep = json.load(open(report_path))
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for f in rep["findings"]:
        p = f["resource"].get("file") or (f.get("location") or {}).get("file") or ""
        mod = next((x for x in p.split("/") if x.startswith("mod_")), None)
        by[mod][f["code"]].append(f["status"])
    bad = 0
    print(f"| kind | code | modules | found | missed | false positives |")
    print(f"|---|---|---:|---:|---:|---:|")
    for k, c in KIND_TO_CODE.items():
        w = [m["dir"] for m in man["per_module"] if k in m["violations"]]
        wo = [m["dir"] for m in man["per_module"] if k not in m["violations"]]
        found = [d for d in w if "fail" in by[d].get(c, [])]
        fp = [d for d in wo if by[d].get(c)] if not c.startswith("NET") else []
        bad += len(w) - len(found) + len(fp)
        print(f"| {k} | {c} | {len(w)} | {len(found)} | {len(w) - len(found)} | {len(fp)} |")
    print()
    print("| kind | NET check | modules | found | masked (no path) | missed |")
    print("|---|---|---:|---:|---:|---:|")
    for k, c, masking in NET_CONSEQUENCES:
        w = [m for m in man["per_module"] if k in m["violations"]]
        masked = [m for m in w if masking & set(m["violations"])]
        found = [m for m in w if "fail" in by[m["dir"]].get(c, [])]
        missed = [m["dir"] for m in w if m not in masked and m not in found]
        bad += len(missed)
        print(f"| {k} | {c} | {len(w)} | {len(found)} | {len(masked)} | {len(missed)} {' '.join(missed[:5])} |")
    print()
    print("| NET check | modules failing | inconclusive | unexplained (false positives) |")
    print("|---|---:|---:|---:|")
    for code, kinds in NET_EXPLAINED_BY.items():
        fails = [m for m in man["per_module"] if "fail" in by[m["dir"]].get(code, [])]
        inc = [m for m in man["per_module"] if "inconclusive" in by[m["dir"]].get(code, [])]
        unexplained = [m["dir"] for m in fails + inc if not kinds & set(m["violations"])]
        bad += len(unexplained)
        print(f"| {code} | {len(fails)} | {len(inc)} | {len(unexplained)} {' '.join(unexplained[:5])} |")
    dns = sum(1 for m in man["per_module"] if "fail" in by[m["dir"]].get("NET105", []))
    print(f"\nNET105 (DNS exfiltration through the Resolver) fails on {dns} of {len(man['per_module'])} "
          "modules: the generator never associates a DNS Firewall rule group, so it is true everywhere")
    st = collections.Counter(f["status"] for f in rep["findings"])
    print("\nstatuses:", dict(st))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2]))
