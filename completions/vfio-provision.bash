# bash completion for vfio-provision(8)

_vfio_provision()
{
	local cur prev words cword
	_init_completion || return

	local verbs="detect plan apply check revert verify guest-xml hugepages gpu libvirt-hook"
	local opts="--root --config --kver --json --force --regenerate --dry-run
		--apply --check --revert --node --timeout --drop-caches --partial-ok --post-install --reset
		--domain --define --connect --quiet --verbose --help --version"

	case $prev in
	--root)
		_filedir -d
		return
		;;
	--config)
		_filedir conf
		return
		;;
	--kver)
		local root=/ i
		for ((i = 1; i < cword; i++)); do
			[[ ${words[i]} == --root ]] && root=${words[i + 1]}
		done
		COMPREPLY=($(compgen -W "$(command ls "$root/lib/modules" 2>/dev/null)" -- "$cur"))
		return
		;;
	--node)
		COMPREPLY=($(compgen -W "$(command ls -d /sys/devices/system/node/node* 2>/dev/null | sed 's/.*node//')" -- "$cur"))
		return
		;;
	--timeout | --connect)
		return
		;;
	--domain)
		# the domains of the --connect URI given (else libvirt's default), as virsh lists them
		local uri="" i
		for ((i = 1; i < cword; i++)); do
			[[ ${words[i]} == --connect ]] && uri=${words[i + 1]}
		done
		COMPREPLY=($(compgen -W "$(virsh ${uri:+-c "$uri"} list --all --name 2>/dev/null)" -- "$cur"))
		return
		;;
	esac

	local i verb="" sub=""
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--root | --config | --kver | --node | --timeout | --domain | --connect) ((i++)) ;;
		-*) ;;
		*)
			if [[ -z $verb ]]; then verb=${words[i]}; else sub=${words[i]}; fi
			;;
		esac
	done

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
	fi
	if [[ -z $verb ]]; then
		COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		return
	fi
	if [[ $verb == hugepages && -z $sub ]]; then
		COMPREPLY=($(compgen -W "status reserve release" -- "$cur"))
		return
	fi
	if [[ $verb == gpu && -z $sub ]]; then
		COMPREPLY=($(compgen -W "detach reattach status" -- "$cur"))
		return
	fi
	if [[ $verb == hugepages && $sub == release ]]; then
		COMPREPLY=($(compgen -W "all" -- "$cur"))
	fi
} &&
	complete -F _vfio_provision vfio-provision

# Keys of vfio-provision.conf(5), for editors and scripts that complete
# "section.key" names: vfio-provision-config-keys prints them.
_vfio_provision_config_keys="gpu.select gpu.strategy hugepages.count hugepages.size
hugepages.node hugepages.mode hugepages.mount hugepages.group hugepages.host_min
initramfs.generator initramfs.regenerate bootloader.type cmdline.iommu
cmdline.iommu_pt cmdline.transparent_hugepage apply.on_upgrade libvirt.domains
handoff.single_gpu handoff.stop handoff.unload"
