/**
 * Managing one device (technicians and admins): disable or enable it, rotate its credential
 * (the answer says whether the connected agent confirmed at once, 200, or gets it at its next
 * connection, 202), and move it to another client. The server closes a disabled agent's socket
 * at once and refuses it until enabled.
 */
import { useState } from 'preact/hooks';
import type { DeviceDetail, DeviceSummary } from '../../../../shared/api-types.js';
import type { CredentialRotation } from '../../../../shared/device-admin-types.js';
import { usePermissions, useApp } from '../../lib/app-context.js';
import { useAction, useLoad } from '../../lib/hooks.js';
import { href } from '../../lib/router.js';
import { ErrorNote, Time } from '../../ui/ui.js';
import { useT } from '../../lib/i18n/index.js';
import { Msg } from '../../lib/i18n/msg.js';

function RotationNote({ device, result }: { device: DeviceDetail; result: CredentialRotation | null }) {
  const t = useT();
  if (result?.status === 'rotated') {
    return (
      <p class="notice" role="status" data-testid="rotation-result" data-status="rotated">
        <Msg
          k="admin.rotated"
          values={{ at: result.rotatedAtMs !== null ? <Msg k="admin.rotatedAt" values={{ time: <Time ms={result.rotatedAtMs} /> }} /> : '' }}
        />
      </p>
    );
  }
  if (result?.status === 'pending' || device.isCredentialRotationPending) {
    return (
      <p class="notice" role="status" data-testid="rotation-result" data-status="pending">
        {t('admin.pending', { why: result ? 'offline' : 'unconfirmed' })}
      </p>
    );
  }
  if (device.credentialRotatedAtMs) {
    return (
      <p class="muted">
        <Msg k="admin.lastRotated" values={{ time: <Time ms={device.credentialRotatedAtMs} /> }} />
      </p>
    );
  }
  return null;
}

export function DeviceAdmin({ device, onChanged }: { device: DeviceDetail; onChanged: (summary: DeviceSummary) => void }) {
  const { api } = useApp();
  const t = useT();
  const { canAct, isAdmin } = usePermissions();
  const action = useAction();
  const [rotation, setRotation] = useState<CredentialRotation | null>(null);
  const [isRotating, setIsRotating] = useState(false);
  const [targetClient, setTargetClient] = useState('');
  const clients = useLoad(() => (canAct ? api.listClients() : Promise.resolve([])), [api, canAct]);
  const fleet = useLoad(() => (canAct ? api.listDevices() : Promise.resolve([])), [api, canAct]);
  const [parentId, setParentId] = useState<string | null>(device.parentDeviceId ?? null);
  if (!canAct) return null;
  // A probed device (printer, UPS, website) runs no agent: no credential to rotate, and it stays
  // with its probe's client (the server refuses moving it).
  const isProbed = device.kind !== undefined && device.kind !== 'agent';
  const others = (clients.data ?? []).filter((c) => c.id !== device.clientId);
  const siblings = (fleet.data ?? []).filter((d) => d.clientId === device.clientId && d.id !== device.id).sort((a, b) => a.hostname.localeCompare(b.hostname));

  return (
    <div class="panel device-actions" data-testid="device-admin">
      <div class="button-row">
        {device.isDisabled ? (
          <button
            type="button"
            class="btn"
            disabled={action.isBusy}
            onClick={() => action.run(async () => onChanged(await api.enableDevice(device.id)))}
            data-testid="device-enable"
          >
            {t('admin.enable')}
          </button>
        ) : (
          <button
            type="button"
            class="btn btn-danger"
            disabled={action.isBusy}
            onClick={() =>
              window.confirm(t('admin.disableConfirm', { hostname: device.hostname })) && action.run(async () => onChanged(await api.disableDevice(device.id)))
            }
            data-testid="device-disable"
          >
            {t('admin.disable')}
          </button>
        )}
        {!isProbed && (
          <button
            type="button"
            class="btn"
            disabled={action.isBusy || device.isDisabled}
            title={device.isDisabled ? t('admin.enableFirst') : undefined}
            onClick={() => {
              setRotation(null);
              setIsRotating(true);
              void action.run(async () => setRotation(await api.rotateCredential(device.id))).finally(() => setIsRotating(false));
            }}
            data-testid="device-rotate"
          >
            {isRotating ? t('admin.rotating') : t('admin.rotate')}
          </button>
        )}
        {isAdmin && (
          <a class="btn btn-quiet" href={href('/audit', { entityType: 'device', entityId: device.id })}>
            {t('admin.audit')}
          </a>
        )}
      </div>
      {device.isDisabled && <p class="muted">{t('admin.disabledNote')}</p>}
      {!isProbed && <RotationNote device={device} result={rotation} />}
      {!isProbed && (
        <form
          class="button-row"
          onSubmit={(e) => {
            e.preventDefault();
            const to = others.find((c) => c.id === targetClient);
            if (!to || !window.confirm(t('admin.moveConfirm', { hostname: device.hostname, to: to.name, from: device.clientName }))) return;
            void action.run(async () => {
              onChanged(await api.moveDevice(device.id, to.id));
              setTargetClient('');
            });
          }}
        >
          <select
            class="select"
            aria-label={t('admin.moveLabel')}
            value={targetClient}
            onChange={(e) => setTargetClient(e.currentTarget.value)}
            data-testid="device-move-client"
          >
            <option value="">{t('admin.moveChoose')}</option>
            {others.map((c) => (
              <option key={c.id} value={c.id}>
                {t('admin.contract', { name: c.name, contract: c.contract })}
              </option>
            ))}
          </select>
          <button type="submit" class="btn" disabled={action.isBusy || !targetClient} data-testid="device-move">
            {t('admin.move')}
          </button>
        </form>
      )}
      <label class="button-row">
        <span>{t('admin.dependsOn')}</span>
        <select
          class="select"
          value={parentId ?? ''}
          title={t('admin.dependsTitle')}
          onChange={(e) => {
            const next = e.currentTarget.value || null;
            void action.run(async () => setParentId((await api.setDeviceParent(device.id, next)).parentDeviceId));
          }}
          data-testid="device-parent"
        >
          <option value="">{t('admin.nothing')}</option>
          {siblings.map((d) => (
            <option key={d.id} value={d.id}>
              {d.hostname}
            </option>
          ))}
        </select>
      </label>
      {parentId && <p class="muted">{t('admin.whileDown', { parent: siblings.find((d) => d.id === parentId)?.hostname ?? t('admin.thatDevice') })}</p>}
      <ErrorNote message={action.error} testId="device-admin-error" />
    </div>
  );
}
