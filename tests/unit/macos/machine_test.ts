import {
  initArgv,
  inspectArgv,
  isNoSuchMachine,
  machineArgv,
  MachineParseError,
  mountsPath,
  parseMachineConfigMounts,
  parseMachineInspect,
  removeArgv,
} from "../../../lib/macos/machine.ts";
import { assertEquals, assertThrows } from "../../_assert.ts";
import { DESKTOP_VOLUMES, inspectJson, machineConfigJson, noMachineStderr } from "./_fixtures.ts";

const DIR = "/Users/alice/.config/containers/podman/machine/applehv";

Deno.test("parseMachineInspect reads name, state, resources, rootful and the config file", () => {
  assertEquals(
    parseMachineInspect(inspectJson({ configDir: DIR, state: "stopped", rootful: true, cpus: 2 })),
    {
      name: "podman-machine-default",
      state: "stopped",
      rootful: true,
      cpus: 2,
      memory: 4096,
      diskSize: 100,
      configFile: `${DIR}/podman-machine-default.json`,
      mounts: undefined,
    },
  );
});

Deno.test("parseMachineInspect takes mounts from the inspect output when it lists them", () => {
  const json = JSON.stringify([{
    Name: "m",
    State: "running",
    Mounts: [{ Source: "/Volumes/devel", Target: "/Volumes/devel" }],
  }]);
  assertEquals(parseMachineInspect(json).mounts, [{
    source: "/Volumes/devel",
    target: "/Volumes/devel",
  }]);
});

Deno.test("parseMachineInspect accepts podman 4's ConfigPath file", () => {
  const json = JSON.stringify([{ Name: "m", ConfigPath: { Path: "/c/qemu/m.json" } }]);
  assertEquals(parseMachineInspect(json).configFile, "/c/qemu/m.json");
});

Deno.test("parseMachineInspect refuses what is not a machine", () => {
  for (const bad of ["", "[]", "{", '[{"State":"running"}]', '"x"']) {
    assertThrows(() => parseMachineInspect(bad), MachineParseError);
  }
});

Deno.test("parseMachineConfigMounts reads Source and Target of each mount", () => {
  assertEquals(parseMachineConfigMounts(machineConfigJson(DIR, DESKTOP_VOLUMES)), [
    { source: "/Users", target: "/Users" },
    { source: "/private", target: "/private" },
    { source: "/var/folders", target: "/var/folders" },
  ]);
  assertEquals(parseMachineConfigMounts('{"Mounts":null}'), []);
  assertEquals(parseMachineConfigMounts("not json"), null);
  assertEquals(parseMachineConfigMounts('{"Mounts":"x"}'), null);
});

Deno.test("mountsPath needs the path or a parent shared at the same path", () => {
  const mounts = [
    { source: "/Users", target: "/Users" },
    { source: "/Volumes/devel/", target: "/Volumes/devel" },
    { source: "/Volumes/other", target: "/mnt/other" },
  ];
  assertEquals(mountsPath(mounts, "/Volumes/devel"), true);
  assertEquals(mountsPath(mounts, "/Volumes/devel/env"), true);
  assertEquals(mountsPath(mounts, "/Volumes/develop"), false);
  assertEquals(mountsPath(mounts, "/Volumes/other"), false);
  assertEquals(mountsPath([{ source: "/Volumes", target: "/Volumes" }], "/Volumes/x/y"), true);
});

Deno.test("isNoSuchMachine recognizes podman's missing-machine error", () => {
  assertEquals(isNoSuchMachine(noMachineStderr()), true);
  assertEquals(isNoSuchMachine("Error: cannot connect to vfkit"), false);
});

Deno.test("podman machine argv name the machine only when one was chosen", () => {
  assertEquals(inspectArgv(), ["podman", "machine", "inspect"]);
  assertEquals(inspectArgv("work"), ["podman", "machine", "inspect", "work"]);
  assertEquals(machineArgv("stop"), ["podman", "machine", "stop"]);
  assertEquals(machineArgv("start", "work"), ["podman", "machine", "start", "work"]);
  assertEquals(removeArgv("work"), ["podman", "machine", "rm", "--force", "work"]);
  assertEquals(
    initArgv("work", { cpus: 4, memory: 2048, diskSize: 60, rootful: true, volumes: ["/a:/a"] }),
    [
      "podman",
      "machine",
      "init",
      "--cpus",
      "4",
      "--memory",
      "2048",
      "--disk-size",
      "60",
      "--rootful",
      "--volume",
      "/a:/a",
      "work",
    ],
  );
  assertEquals(initArgv(undefined, { rootful: false, volumes: [] }), ["podman", "machine", "init"]);
});
