/**
 * Notification channels (with their full config: secrets included, so this never goes to the API
 * unmasked) and the contact points that tie people to them. The config is sealed at rest
 * (server/lib/secret-box.ts): the database file alone holds no SMTP password or webhook URL.
 */
import type { ChannelView, ContactPoint } from '../../shared/notify-types.js';
import type { Db } from './database.js';
import { generateId } from '../lib/secrets.js';
import type { SecretBox } from '../lib/secret-box.js';

/** GCM purpose of sealed channel configs (server/auth/sealed-columns.ts). */
export const CHANNEL_CONFIG_PURPOSE = 'channel-config';

/** A stored channel: the API's shape (ChannelView), with its config unmasked. */
export type ChannelRecord = ChannelView;

interface ChannelRow {
  id: string;
  type: string;
  name: string;
  config_json: string;
  is_enabled: number;
  created_at_ms: number;
  updated_at_ms: number;
  updated_by: string | null;
}

interface ContactRow {
  id: string;
  user_id: string;
  channel_id: string;
  channel_name: string;
  channel_type: string;
  handle: string;
  created_at_ms: number;
}

const toChannelWith =
  (box: SecretBox) =>
  (r: ChannelRow): ChannelRecord => ({
    id: r.id,
    type: r.type,
    name: r.name,
    config: JSON.parse(box.decryptSecret(r.config_json, CHANNEL_CONFIG_PURPOSE)) as Record<string, unknown>,
    isEnabled: r.is_enabled === 1,
    createdAtMs: r.created_at_ms,
    updatedAtMs: r.updated_at_ms,
    updatedBy: r.updated_by,
  });

const toContact = (r: ContactRow): ContactPoint => ({
  id: r.id,
  userId: r.user_id,
  channelId: r.channel_id,
  channelName: r.channel_name,
  channelType: r.channel_type,
  handle: r.handle === '' ? null : r.handle,
  createdAtMs: r.created_at_ms,
});

const CONTACT_SELECT = `SELECT p.*, c.name AS channel_name, c.type AS channel_type FROM contact_points p JOIN channels c ON c.id = p.channel_id`;

/** Builds the channel and contact-point statements once. */
export function createChannelStore(db: Db, box: SecretBox) {
  const toChannel = toChannelWith(box);
  const sealConfig = (config: Record<string, unknown>): string => box.encryptSecret(JSON.stringify(config), CHANNEL_CONFIG_PURPOSE);
  const insert = db.prepare(
    `INSERT INTO channels (id, type, name, config_json, is_enabled, created_at_ms, updated_at_ms, updated_by)
     VALUES (@id, @type, @name, @configJson, @isEnabled, @nowMs, @nowMs, @by)`,
  );
  const update = db.prepare(
    'UPDATE channels SET name = @name, config_json = @configJson, is_enabled = @isEnabled, updated_at_ms = @nowMs, updated_by = @by WHERE id = @id',
  );
  const byId = db.prepare<[string], ChannelRow>('SELECT * FROM channels WHERE id = ?');
  const byName = db.prepare<[string], ChannelRow>('SELECT * FROM channels WHERE name = ?');
  const all = db.prepare<[], ChannelRow>('SELECT * FROM channels ORDER BY name');
  const remove = db.prepare<[string]>('DELETE FROM channels WHERE id = ?');
  const insertContact = db.prepare('INSERT INTO contact_points (id, user_id, channel_id, handle, created_at_ms) VALUES (?, ?, ?, ?, ?)');
  const contactById = db.prepare<[string], ContactRow>(`${CONTACT_SELECT} WHERE p.id = ?`);
  const contactsOfUser = db.prepare<[string], ContactRow>(`${CONTACT_SELECT} WHERE p.user_id = ? ORDER BY c.name, p.handle`);
  const allContacts = db.prepare<[], ContactRow>(`${CONTACT_SELECT} ORDER BY p.user_id, c.name, p.handle`);
  const removeContact = db.prepare<[string]>('DELETE FROM contact_points WHERE id = ?');

  return {
    create(input: { type: string; name: string; config: Record<string, unknown>; isEnabled: boolean }, nowMs: number, by: string | null): ChannelRecord {
      const id = generateId();
      insert.run({ id, type: input.type, name: input.name, configJson: sealConfig(input.config), isEnabled: input.isEnabled ? 1 : 0, nowMs, by });
      return toChannel(byId.get(id)!);
    },
    update(
      id: string,
      input: { name: string; config: Record<string, unknown>; isEnabled: boolean },
      nowMs: number,
      by: string | null,
    ): ChannelRecord | undefined {
      update.run({ id, name: input.name, configJson: sealConfig(input.config), isEnabled: input.isEnabled ? 1 : 0, nowMs, by });
      const r = byId.get(id);
      return r && toChannel(r);
    },
    findById(id: string): ChannelRecord | undefined {
      const r = byId.get(id);
      return r && toChannel(r);
    },
    findByName(name: string): ChannelRecord | undefined {
      const r = byName.get(name);
      return r && toChannel(r);
    },
    list(): ChannelRecord[] {
      return all.all().map(toChannel);
    },
    delete(id: string): void {
      remove.run(id);
    },
    /** Adds a contact point; throws SQLITE_CONSTRAINT_UNIQUE when the same one exists. */
    addContact(userId: string, channelId: string, handle: string | null, nowMs: number): ContactPoint {
      const id = generateId();
      insertContact.run(id, userId, channelId, handle ?? '', nowMs);
      return toContact(contactById.get(id)!);
    },
    findContact(id: string): ContactPoint | undefined {
      const r = contactById.get(id);
      return r && toContact(r);
    },
    contactsOf(userId: string): ContactPoint[] {
      return contactsOfUser.all(userId).map(toContact);
    },
    allContacts(): ContactPoint[] {
      return allContacts.all().map(toContact);
    },
    deleteContact(id: string): void {
      removeContact.run(id);
    },
  };
}
export type ChannelStore = ReturnType<typeof createChannelStore>;
