/**
 * Recorded output of `diskutil info -plist` and `podman machine inspect` on
 * a Mac (macOS 14, Apple silicon, Podman 5 with the applehv provider),
 * trimmed of serial numbers and UUIDs that nothing reads, and parameterized
 * where a test needs another state. Shared by the unit and end-to-end tests.
 */

const PLIST_HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
`;

/** `diskutil info -plist /`: the sealed system snapshot of the boot volume in container disk3. */
export const ROOT_PLIST = `${PLIST_HEAD}<dict>
	<key>APFSContainerFree</key>
	<integer>301123584000</integer>
	<key>APFSContainerReference</key>
	<string>disk3</string>
	<key>APFSContainerSize</key>
	<integer>994662584320</integer>
	<key>APFSPhysicalStores</key>
	<array>
		<dict>
			<key>APFSPhysicalStore</key>
			<string>disk0s2</string>
		</dict>
	</array>
	<key>APFSSnapshot</key>
	<true/>
	<key>APFSSnapshotName</key>
	<string>com.apple.os.update-9A1C7E56E4D7E5E3A7E1D4A2E6B2C8C1F4E0B6D3A9C2B1E7F8A6D5C4B3A2E1F0</string>
	<key>AESHardware</key>
	<true/>
	<key>Bootable</key>
	<true/>
	<key>BusProtocol</key>
	<string>Apple Fabric</string>
	<key>CanBeMadeBootable</key>
	<false/>
	<key>Content</key>
	<string>41504653-0000-11AA-AA11-00306543ECAC</string>
	<key>DeviceBlockSize</key>
	<integer>4096</integer>
	<key>DeviceIdentifier</key>
	<string>disk3s1s1</string>
	<key>DeviceNode</key>
	<string>/dev/disk3s1s1</string>
	<key>Encryption</key>
	<true/>
	<key>FilesystemName</key>
	<string>APFS</string>
	<key>FilesystemType</key>
	<string>apfs</string>
	<key>FilesystemUserVisibleName</key>
	<string>APFS</string>
	<key>Internal</key>
	<true/>
	<key>MediaName</key>
	<string></string>
	<key>MountPoint</key>
	<string>/</string>
	<key>ParentWholeDisk</key>
	<string>disk3</string>
	<key>SolidState</key>
	<true/>
	<key>TotalSize</key>
	<integer>994662584320</integer>
	<key>VolumeName</key>
	<string>Macintosh HD</string>
	<key>WholeDisk</key>
	<false/>
	<key>Writable</key>
	<false/>
</dict>
</plist>
`;

/** `diskutil info -plist /Volumes/NAME` for an APFS volume, case-sensitive or not. */
export function volumePlist(name: string, caseSensitive: boolean, device = "disk3s7"): string {
  const personality = caseSensitive ? "Case-sensitive APFS" : "APFS";
  const visible = caseSensitive ? "APFS (Case-sensitive)" : "APFS";
  return `${PLIST_HEAD}<dict>
	<key>APFSContainerFree</key>
	<integer>301123584000</integer>
	<key>APFSContainerReference</key>
	<string>disk3</string>
	<key>APFSPhysicalStores</key>
	<array>
		<dict>
			<key>APFSPhysicalStore</key>
			<string>disk0s2</string>
		</dict>
	</array>
	<key>APFSSnapshot</key>
	<false/>
	<key>Bootable</key>
	<false/>
	<key>BusProtocol</key>
	<string>Apple Fabric</string>
	<key>DeviceIdentifier</key>
	<string>${device}</string>
	<key>DeviceNode</key>
	<string>/dev/${device}</string>
	<key>Encryption</key>
	<true/>
	<key>FilesystemName</key>
	<string>${personality}</string>
	<key>FilesystemType</key>
	<string>apfs</string>
	<key>FilesystemUserVisibleName</key>
	<string>${visible}</string>
	<key>Internal</key>
	<true/>
	<key>MountPoint</key>
	<string>/Volumes/${name}</string>
	<key>ParentWholeDisk</key>
	<string>disk3</string>
	<key>TotalSize</key>
	<integer>994662584320</integer>
	<key>VolumeName</key>
	<string>${name}</string>
	<key>WholeDisk</key>
	<false/>
	<key>Writable</key>
	<true/>
</dict>
</plist>
`;
}

/** `diskutil info -plist /Volumes/NAME` for a USB stick formatted as FAT32. */
export function fatPlist(name: string): string {
  return `${PLIST_HEAD}<dict>
	<key>DeviceIdentifier</key>
	<string>disk4s1</string>
	<key>FilesystemName</key>
	<string>MS-DOS FAT32</string>
	<key>FilesystemType</key>
	<string>msdos</string>
	<key>FilesystemUserVisibleName</key>
	<string>MS-DOS (FAT32)</string>
	<key>MountPoint</key>
	<string>/Volumes/${name}</string>
	<key>VolumeName</key>
	<string>${name}</string>
</dict>
</plist>
`;
}

/** What `diskutil info -plist PATH` prints (exit 1) when no disk is mounted there. */
export function notFoundPlist(path: string): string {
  return `${PLIST_HEAD}<dict>
	<key>Error</key>
	<true/>
	<key>ErrorMessage</key>
	<string>Could not find disk: ${path}</string>
	<key>ExitCode</key>
	<integer>1</integer>
</dict>
</plist>
`;
}

/** What `diskutil apfs addVolume disk3 "Case-sensitive APFS" NAME` prints. */
export function addVolumeOutput(name: string, device = "disk3s7"): string {
  return `Will export new APFS (Case-sensitive) Volume "${name}" from APFS Container Reference disk3
Started APFS operation on disk3
Preparing to add APFS Volume to APFS Container disk3
Creating APFS Volume
Created new APFS Volume ${device}
Mounting APFS Volume
Setting volume permissions
Disk from APFS operation: ${device}
Finished APFS operation on disk3
`;
}

/** A podman machine's state for the inspect fixture. */
export interface MachineFixture {
  readonly name?: string;
  readonly state?: string;
  readonly rootful?: boolean;
  readonly cpus?: number;
  readonly memory?: number;
  readonly diskSize?: number;
  /** Where podman keeps machine configs (ConfigDir.Path). */
  readonly configDir: string;
}

/** `podman machine inspect` (Podman 5.2, applehv). */
export function inspectJson(m: MachineFixture): string {
  const name = m.name ?? "podman-machine-default";
  const indent = (text: string) => text.replaceAll("\n", "\n     ");
  const body = JSON.stringify(
    {
      ConfigDir: { Path: m.configDir },
      ConnectionInfo: {
        PodmanSocket: {
          Path: `/var/folders/7q/kq1m0b5x0d1_3s9ybqc3l9fh0000gn/T/podman/${name}-api.sock`,
        },
        PodmanPipe: null,
      },
      Created: "2025-03-04T10:12:33.418611+01:00",
      LastUp: "2025-03-10T09:01:12.120937+01:00",
      Name: name,
      Resources: {
        CPUs: m.cpus ?? 6,
        DiskSize: m.diskSize ?? 100,
        Memory: m.memory ?? 4096,
        USBs: [],
      },
      SSHConfig: {
        IdentityPath: "/Users/alice/.local/share/containers/podman/machine/machine",
        Port: 53816,
        RemoteUsername: "core",
      },
      State: m.state ?? "running",
      UserModeNetworking: true,
      Rootful: m.rootful ?? false,
      Rosetta: true,
    },
    null,
    5,
  );
  return `[\n     ${indent(body)}\n]\n`;
}

/** What `podman machine inspect` prints on stderr (exit 125) when the machine does not exist. */
export function noMachineStderr(name = "podman-machine-default"): string {
  return `Error: ${name}: VM does not exist\n`;
}

/** The machine's config file (`ConfigDir/NAME.json`), with the given `--volume` mounts. */
export function machineConfigJson(
  configDir: string,
  volumes: readonly string[],
  name = "podman-machine-default",
): string {
  return JSON.stringify({
    ConfigPath: { Path: `${configDir}/${name}.json` },
    Created: "2025-03-04T10:12:33.418611+01:00",
    GvProxy: { GvProxy: "", PidFile: "", SSHPort: 0, Sockets: null },
    HostUser: { Rootful: false, UID: 501, HostUserModified: false },
    LastUp: "2025-03-10T09:01:12.120937+01:00",
    Mounts: volumes.map((v, i) => {
      const [source, target] = v.split(":");
      return {
        ReadOnly: false,
        Source: source,
        Tag: `a2a0ee2c717462feb1de2f5afd59de5${i}`,
        Target: target,
        Type: "virtiofs",
        OriginalInput: v,
        VSockNumber: null,
      };
    }),
    Name: name,
    Resources: { CPUs: 6, DiskSize: 100, Memory: 4096, USBs: [] },
    SSH: {
      IdentityPath: "/Users/alice/.local/share/containers/podman/machine/machine",
      Port: 53816,
      RemoteUsername: "core",
    },
    Version: 1,
    ImagePath: {
      Path: `/Users/alice/.local/share/containers/podman/machine/applehv/${name}-arm64.raw`,
    },
    AppleHypervisor: { Vfkit: { Endpoint: "http://localhost:8081", BinaryPath: null } },
    Starting: false,
    Rosetta: true,
  });
}

/** The mounts Podman Desktop gives a new machine on macOS. */
export const DESKTOP_VOLUMES: readonly string[] = [
  "/Users:/Users",
  "/private:/private",
  "/var/folders:/var/folders",
];
