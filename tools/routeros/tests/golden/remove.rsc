# Removes what tools/routeros/ipv6-mostly.py installed (tagged comment=coredns-cpp).
# LAN bridge, WAN ether1, container 172.17.64.0/30 fd64::/64, NAT64 64:ff9b::/96, pool 192.168.240.0/20, option 108 1800 s, storage disk1/coredns, image file x.tar, RouterOS 7.21

/ip/dns/set servers=""
/ip/dhcp-server/network/set [find dhcp-option-set=ipv6-mostly] dhcp-option-set="" dns-server=""
/ip/dhcp-server/option/sets/remove [find name=ipv6-mostly]
/ip/dhcp-server/option/remove [find comment="coredns-cpp"]
/ipv6/nd/set [find interface=bridge] pref64="" advertise-dns=yes dns=""
/container/stop [find comment="coredns-cpp"]
{ :local tries 0; :while ([/container/get [/container/find comment="coredns-cpp"] status] != "stopped" && $tries < 60) do={ :delay 1s; :set tries ($tries + 1) } }
/container/remove [find comment="coredns-cpp"]
/container/envs/remove [find comment="coredns-cpp"]
/container/mounts/remove [find comment="coredns-cpp"]
/ip/firewall/filter/remove [find comment="coredns-cpp"]
/ipv6/firewall/filter/remove [find comment="coredns-cpp"]
/ip/firewall/nat/remove [find comment="coredns-cpp"]
/ip/route/remove [find comment="coredns-cpp"]
/ipv6/route/remove [find comment="coredns-cpp"]
/interface/list/member/remove [find comment="coredns-cpp"]
/interface/bridge/port/remove [find comment="coredns-cpp"]
/interface/veth/remove [find comment="coredns-cpp"]
/ipv6/address/remove [find comment="coredns-cpp"]
/ip/address/remove [find comment="coredns-cpp"]
/interface/bridge/remove [find comment="coredns-cpp"]
# disk1/coredns (Corefile, dynamic.map) is kept; remove it with /file/remove when done.
