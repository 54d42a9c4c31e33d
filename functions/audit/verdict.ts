import { formatHours, HOURS_PER_DAY } from "../../components/dataProtection/ages";
import type { AuditSettings, AuditVerdict } from "./model";

/**
 * The verdict on one store's worst case. Within the limit: `ok`. Over it: `exempt` only when the stack config
 * exempts the store the resource holds (`exemptionStore`, what its tag says) AND the resource carries the tag (a tag
 * alone never exempts, nor does a config entry on an untagged resource), and only within the exemption's own bound;
 * otherwise `too long`, with the reason an exemption did not apply.
 */
export function judge(worstHours: number, settings: AuditSettings, tagged?: string): { verdict: AuditVerdict; note?: string } {
    if (worstHours <= settings.limitHours) return { verdict: "ok" };
    if (tagged === undefined) return { verdict: "too long" };
    const exemption = settings.exemptions.find((entry) => entry.store === tagged);
    if (!exemption) {
        return { verdict: "too long", note: `tagged ${settings.exemptionTag}=${tagged}, but the stack config has no "${tagged}" exemption (a tag alone never exempts)` };
    }
    const bound = exemption.maxAgeDays * HOURS_PER_DAY;
    if (worstHours > bound) {
        return { verdict: "too long", note: `over its "${tagged}" exemption's ${exemption.maxAgeDays}d (worst ${formatHours(worstHours)})` };
    }
    return { verdict: "exempt", note: `exemption "${tagged}" (up to ${exemption.maxAgeDays}d): ${exemption.reason}` };
}

