// The signed-in person as the API sees them (GET /me on monitoring_http): roles,
// permissions, teams, queues with their time zones. Pages offer only what these allow.
import { createContext } from "preact";
import { useContext } from "preact/hooks";

export interface Me {
  user: {
    id: string;
    name: string;
    kind: string;
    roles: { id: string; name: string }[];
    permissions: string[];
    needs_second_factor_for: string[];
    teams: { id: string; name: string }[];
    all_queues: boolean;
  };
  teams: { id: string; name: string }[];
  queues: { id: string; path: string; time_zone: string }[];
  center_time_zone: string;
}

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("not signed in");
  return me;
}

export function can(me: Me, permission: string): boolean {
  return me.user.permissions.includes(permission);
}

export function queueZone(me: Me, queueId: string | null | undefined): string {
  return me.queues.find((q) => q.id === queueId)?.time_zone ?? me.center_time_zone;
}
