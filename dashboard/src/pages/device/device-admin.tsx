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

function RotationNote({ device, result }: { device: DeviceDetail; result: CredentialRotation | null }) {
  if (result?.status === 'rotated') {
    return (
      <p class="notice" role="status" data-testid="rotation-result" data-status="rotated">
        Rotated: the agent stored its new credential
        {result.rotatedAtMs !== null && (
          <>
            {' '}
            at <Time ms={result.rotatedAtMs} />
          </>
        )}{' '}
        and the old one no longer works.
      </p>
    );
  }
  if (result?.status === 'pending' || device.isCredentialRotationPending) {
    return (
      <p class="notice" role="status" data-testid="rotation-result" data-status="pending">
        Pending: the agent {result ? 'is offline or did not confirm within 10 s' : 'has not confirmed yet'}; it gets the new credential when it next connects,
        and until then its old one still works. If that one may have leaked, disable the device instead.
      </p>
    );
  }
  if (device.credentialRotatedAtMs) {
    return (
      <p class="muted">
        Credential last rotated <Time ms={device.credentialRotatedAtMs} />.
      </p>
    );
  }
  return null;
}

export function DeviceAdmin({ device, onChanged }: { device: DeviceDetail; onChanged: (summary: DeviceSummary) => void }) {
  const { api } = useApp();
  const { canAct, isAdmin } = usePermissions();
  const action = useAction();
  const [rotation, setRotation] = useState<CredentialRotation | null>(null);
  const [isRotating, setIsRotating] = useState(false);
  const [targetClient, setTargetClient] = useState('');
  const clients = useLoad(() => (canAct ? api.listClients() : Promise.resolve([])), [api, canAct]);
  const fleet = useLoad(() => (canAct ? api.listDevices() : Promise.resolve([])), [api, canAct]);
  const [parentId, setParentId] = useState<string | null>(device.parentDeviceId ?? null);
  if (!canAct) return null;
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
            Enable device
          </button>
        ) : (
          <button
            type="button"
            class="btn btn-danger"
            disabled={action.isBusy}
            onClick={() =>
              window.confirm(`Disable ${device.hostname}? Its agent is disconnected now and refused until you enable it again; its data stays.`) &&
              action.run(async () => onChanged(await api.disableDevice(device.id)))
            }
            data-testid="device-disable"
          >
            Disable device
          </button>
        )}
        <button
          type="button"
          class="btn"
          disabled={action.isBusy || device.isDisabled}
          title={device.isDisabled ? 'Enable the device first' : undefined}
          onClick={() => {
            setRotation(null);
            setIsRotating(true);
            void action.run(async () => setRotation(await api.rotateCredential(device.id))).finally(() => setIsRotating(false));
          }}
          data-testid="device-rotate"
        >
          {isRotating ? 'Rotating… (up to 10 s)' : 'Rotate credential'}
        </button>
        {isAdmin && (
          <a class="btn btn-quiet" href={href('/audit', { entityType: 'device', entityId: device.id })}>
            Audit log
          </a>
        )}
      </div>
      {device.isDisabled && <p class="muted">Disabled: the agent is refused and the machine cannot enroll again until the device is enabled.</p>}
      <RotationNote device={device} result={rotation} />
      <form
        class="button-row"
        onSubmit={(e) => {
          e.preventDefault();
          const to = others.find((c) => c.id === targetClient);
          if (
            !to ||
            !window.confirm(
              `Move ${device.hostname} to ${to.name}? Its open alerts and incidents stay with ${device.clientName}; ${to.name}'s contract and rules apply from now on.`,
            )
          )
            return;
          void action.run(async () => {
            onChanged(await api.moveDevice(device.id, to.id));
            setTargetClient('');
          });
        }}
      >
        <select
          class="select"
          aria-label="Move to client"
          value={targetClient}
          onChange={(e) => setTargetClient(e.currentTarget.value)}
          data-testid="device-move-client"
        >
          <option value="">Move to another client…</option>
          {others.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.contract})
            </option>
          ))}
        </select>
        <button type="submit" class="btn" disabled={action.isBusy || !targetClient} data-testid="device-move">
          Move
        </button>
      </form>
      <label class="button-row">
        <span>Depends on</span>
        <select
          class="select"
          value={parentId ?? ''}
          title="While that device (the client's router or firewall) is down, this one's alerts are recorded but do not page"
          onChange={(e) => {
            const next = e.currentTarget.value || null;
            void action.run(async () => setParentId((await api.setDeviceParent(device.id, next)).parentDeviceId));
          }}
          data-testid="device-parent"
        >
          <option value="">nothing (pages on its own)</option>
          {siblings.map((d) => (
            <option key={d.id} value={d.id}>
              {d.hostname}
            </option>
          ))}
        </select>
      </label>
      {parentId && (
        <p class="muted">
          While {siblings.find((d) => d.id === parentId)?.hostname ?? 'that device'} is down, this device's alerts are recorded but do not page.
        </p>
      )}
      <ErrorNote message={action.error} testId="device-admin-error" />
    </div>
  );
}
