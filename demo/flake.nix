# The demo project of nsbsh: an offline flake with no inputs.
# ./setup turns this folder's flake.nix into a Git project of its own,
# next to copies of /bin/bash-static (the builder) and /bin/busybox (the
# tools), so that it evaluates with no network and no nixpkgs.
{
  outputs = { self }: let
    system = "x86_64-linux";
    tools = derivation {
      name = "demo-tools"; inherit system; builder = "${self}/bash";
      args = [ "-c" ''
        ${self}/busybox mkdir -p $out/bin
        for a in $(${self}/busybox --list); do
          ${self}/busybox ln -s ${self}/busybox $out/bin/$a
        done
      '' ];
    };
  in {
    devShells.${system}.default = derivation {
      name = "demo-shell"; inherit system; builder = "${self}/bash";
      outputs = [ "out" ];
      args = [ "-c" "echo > $out" ];
      PATH = "${tools}/bin";
      DEMO_VAR = "hello from flake";
      shellHook = ''
        echo "nsbsh demo: busybox tools on PATH, DEMO_VAR=$DEMO_VAR"
      '';
    };
  };
}
