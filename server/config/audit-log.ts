import type { Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize';
import { DEFAULT_DISTRICT } from '../domain/district';
import type { OneRosterUser } from '../options';
import { defineConfigModels, type AuditAction } from './config-models';

/** Writes `oneroster_audit_events` for the actions outside configuration (held runs, building matching). */
export interface AuditLog {
  /** Records one action by an admin; `details` must never hold secrets or whole roster records. */
  record(action: AuditAction, user: OneRosterUser, details: Record<string, unknown>, transaction?: Transaction): Promise<void>;
}

/** The audit log of one district over the module's audit table. */
export function createAuditLog(sequelize: Sequelize, district: string = DEFAULT_DISTRICT): AuditLog {
  const { AuditEvent } = defineConfigModels(sequelize);
  return {
    async record(action, user, details, transaction) {
      await AuditEvent.create(
        { district, action, actorId: String(user.id).slice(0, 255), actorName: user.name?.slice(0, 255) ?? null, details: JSON.stringify(details) },
        { transaction },
      );
    },
  };
}
