// The checks of the Pod Security Standards as of v1.32 (upstream's
// DefaultChecks): baseline first, then restricted; the evaluator orders them.
import { checkAllowPrivilegeEscalation } from "./allow-privilege-escalation.ts";
import { checkAppArmorProfile } from "./app-armor-profile.ts";
import { checkCapabilitiesBaseline, checkCapabilitiesRestricted } from "./capabilities.ts";
import type { Check } from "./check.ts";
import { checkHostNamespaces } from "./host-namespaces.ts";
import { checkHostPathVolumes } from "./host-path-volumes.ts";
import { checkHostPorts } from "./host-ports.ts";
import { checkPrivileged } from "./privileged.ts";
import { checkProcMount } from "./proc-mount.ts";
import { checkRestrictedVolumes } from "./restricted-volumes.ts";
import { checkRunAsNonRoot } from "./run-as-non-root.ts";
import { checkRunAsUser } from "./run-as-user.ts";
import { checkSeccompBaseline, checkSeccompProfileRestricted } from "./seccomp-profile.ts";
import { checkSELinuxOptions } from "./selinux-options.ts";
import { checkSysctls } from "./sysctls.ts";
import { checkWindowsHostProcess } from "./windows-host-process.ts";

/** A fresh copy of every check. */
export function defaultChecks(): Check[] {
  return [
    checkAppArmorProfile(),
    checkCapabilitiesBaseline(),
    checkHostNamespaces(),
    checkHostPathVolumes(),
    checkHostPorts(),
    checkPrivileged(),
    checkProcMount(),
    checkSELinuxOptions(),
    checkSeccompBaseline(),
    checkSysctls(),
    checkWindowsHostProcess(),
    checkAllowPrivilegeEscalation(),
    checkCapabilitiesRestricted(),
    checkRestrictedVolumes(),
    checkRunAsNonRoot(),
    checkRunAsUser(),
    checkSeccompProfileRestricted(),
  ];
}
