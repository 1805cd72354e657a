#!/bin/busybox sh
# /init of the bench's Linux guest (tools/bench/linux/build-initramfs.sh).
# Parameters from the kernel command line:
#   bench.drv=ahci|lsi|all      which module set to load (all: boot-time runs)
#   bench.mode=jobs|boot        run fio jobs, or report when the disks are up
#   bench.expect=N              boot: block devices to wait for (sd* and sr*)
#   bench.jobs=NAME:RW:QD:BS:TOTAL[,...]
#                               RW = read|randread|write; TOTAL = bytes moved
#   bench.disk=SECTORS          jobs: the disk to use is the one of this size
# Lines for the host start with "@@B ".
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

drv=ahci mode=jobs expect=1 jobs= disk=2097152
for kv in $(cat /proc/cmdline); do
    case "$kv" in
    bench.drv=*) drv=${kv#*=} ;;
    bench.mode=*) mode=${kv#*=} ;;
    bench.expect=*) expect=${kv#*=} ;;
    bench.jobs=*) jobs=${kv#*=} ;;
    bench.disk=*) disk=${kv#*=} ;;
    esac
done

for ko in $(cat /etc/bench/modules.$drv); do
    insmod "$ko" 2>/dev/null
done

# Block devices that are up: sd* with a capacity, and sr*.
count_disks() {
    n=0
    for b in /sys/block/sd* /sys/block/sr*; do
        [ -e "$b" ] || continue
        case "$b" in */sr*) n=$((n + 1)); continue ;; esac
        [ "$(cat "$b/size")" != 0 ] && n=$((n + 1))
    done
    echo $n
}

# Wait (at most 60 s) for the block devices.
i=0
if [ "$mode" = boot ]; then
    while [ "$(count_disks)" -lt "$expect" ] && [ $i -lt 6000 ]; do
        sleep 0.01
        i=$((i + 1))
    done
    echo "@@B ready uptime=$(cut -d' ' -f1 /proc/uptime) disks=$(count_disks)"
    poweroff -f
fi

dev=
while [ -z "$dev" ] && [ $i -lt 600 ]; do
    for b in /sys/block/sd*; do
        [ -e "$b" ] && [ "$(cat "$b/size")" = "$disk" ] && { dev=${b##*/}; break; }
    done
    [ -n "$dev" ] || sleep 0.1
    i=$((i + 1))
done
if [ -z "$dev" ]; then
    echo "@@B error no disk of $disk sectors"
    cat /proc/partitions
    poweroff -f
fi
echo "@@B disk dev=$dev qdepth=$(cat /sys/block/$dev/device/queue_depth 2>/dev/null) sched=$(cat /sys/block/$dev/queue/scheduler)"

for job in $(echo "$jobs" | tr , ' '); do
    IFS=: read -r name rw qd bs total <<EOF
$job
EOF
    case "$rw" in
    read|write) span="--size=$total" ;;
    *) span="--io_size=$total --norandommap --randrepeat=1" ;;
    esac
    echo "@@B job-begin $name"
    fio --name="$name" --filename="/dev/$dev" --direct=1 --ioengine=libaio --gtod_reduce=1 --eta=never \
        --rw="$rw" --bs="$bs" --iodepth="$qd" $span \
        --exec_prerun="/bin/vmmark b" --exec_postrun="/bin/vmmark e" \
        --output-format=json --output="/tmp/$name.json"
    echo "@@B job-end $name rc=$?"
    cat "/tmp/$name.json"
    echo "@@B json-end $name"
done
echo "@@B done"
poweroff -f
