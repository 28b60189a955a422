-- SPDX-License-Identifier: GPL-2.0
--
-- tracenet.lua: Wireshark/tshark dissector for tracenet frames, trace
-- events delivered as Ethernet frames (EtherType 0x88B5) by tracenet.ko.
-- The wire format is include/uapi/linux/tracenet.h, described with byte
-- tables in Documentation/tracenet.rst; the user's view of this file is
-- Documentation/dissector.rst.
--
-- Written for Wireshark 4.0 with Lua 5.2 (Debian 12), and for input that
-- nobody vouches for: a capture may be cut, damaged or made by hand, so
-- every read is checked against the bytes really there, and a bug of ours
-- that escapes anyway becomes expert info, never a Lua error dialog.
--
-- Event formats come from three places:
--   * metadata frames in the capture (always; no access to the traced
--     machine needed), kept per producer and per frame number, so that a
--     frame decodes the same way whenever Wireshark dissects it again (a
--     record larger than the sender's MTU comes in parts, joined here);
--   * a formats file that "tracenetctl formats -o FILE" writes;
--   * the local tracefs, for the events a start-up list names.
-- The last two exist at start-up, so their events get named, typed
-- filter fields (tracenet.<event>.<field>): Wireshark registers fields
-- once, before any preference is read, so these settings are read here,
-- from -X lua_script1:KEY=VALUE, the environment, or the preferences file.

local VERSION = 1
local ETHERTYPE = 0x88B5
local HDR_MIN, EVENT_HDR, META_HDR, TLV_HDR, META_FIELD_MIN = 16, 40, 8, 4, 8
local MAX_FIELDS = 128
local FRAME_EVENTS, FRAME_META, FRAME_HOST = 1, 2, 3
local F_BIG_ENDIAN, F_LONG64, F_MORE, F_RAW_POINTERS = 0x01, 0x02, 0x04, 0x08
local MAX_META_PARTS = 65535 -- bytes of a metadata record in parts (its len is 16 bits)
local FL_SIGNED, FL_DYNAMIC, FL_RELATIVE = 0x01, 0x02, 0x04
local FL_STRING, FL_ARRAY, FL_POINTER = 0x08, 0x10, 0x20
local META_SYSTEM, META_NAME, META_FORMAT, META_FIELD = 1, 2, 3, 4
local HOST_NAME, HOST_BOOT_ID, HOST_CLOCK = 1, 2, 3
local BOOT_ID_LEN, HOST_CLOCK_LEN = 16, 32
local DEFAULT_EVENTS = "sched:*,net:*,kprobes:*,uprobes:*"

local band, bor = bit32.band, bit32.bor
local script_args = { ... }

local tn = Proto("tracenet", "tracenet trace events")

---------------------------------------------------------------------------
-- Small helpers

local function has(flags, bit)
	return band(flags, bit) ~= 0
end

local function align4(n)
	return band(n + 3, 0xfffffffc)
end

local function trim(s)
	return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local function split_list(s)
	local out = {}
	for item in s:gmatch("[^,%s]+") do
		out[#out + 1] = item
	end
	return out
end

-- Shell globs, as tracenetctl takes them, as anchored Lua patterns.
local function glob_pattern(glob)
	local p = glob:gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0")
	p = p:gsub("%*", ".*"):gsub("%?", ".")
	return "^" .. p .. "$"
end

local function read_file(path)
	local f = io.open(path, "rb")
	if not f then
		return nil
	end
	local text = f:read("*a")
	f:close()
	return text
end

---------------------------------------------------------------------------
-- Start-up settings: -X lua_script1:KEY=VALUE, then $ENV, then the
-- preferences file (the GUI's Preferences > Protocols > TRACENET writes
-- it; they apply at the next start), then the default.

local function script_arg(key)
	for _, a in ipairs(script_args) do
		local k, v = tostring(a):match("^([%w_]+)=(.*)$")
		if k == key then
			return v
		end
	end
end

local saved_prefs
local function saved_pref(name)
	if saved_prefs == nil then
		saved_prefs = {}
		local ok, path = pcall(Dir.personal_config_path, "preferences")
		local text = "\n" .. (ok and path and read_file(path) or "")
		for k, v in text:gmatch("\ntracenet%.([%w_]+):[ \t]*([^\n]*)") do
			saved_prefs[k] = trim(v):gsub('^"(.*)"$', "%1")
		end
	end
	return saved_prefs[name]
end

local function setting(key, env, pref, default)
	return script_arg(key) or os.getenv(env) or saved_pref(pref) or default
end

---------------------------------------------------------------------------
-- Event formats. A description ("desc") of an event:
--   { id, system, name, full = "system:name", fields = { field... },
--     print_line = the format's "print fmt:" text, if any }
-- and of each field, in TLV type order:
--   { name, ctype, offset, size, flags = TRACENET_FIELD_*, kind, ... }

local ELEM_SIZES = {
	char = 1, u8 = 1, s8 = 1, __u8 = 1, __s8 = 1, bool = 1, _Bool = 1,
	short = 2, u16 = 2, s16 = 2, __u16 = 2, __s16 = 2, __be16 = 2, __le16 = 2,
	int = 4, u32 = 4, s32 = 4, __u32 = 4, __s32 = 4, __be32 = 4, __le32 = 4,
	pid_t = 4, gfp_t = 4, dev_t = 4,
	u64 = 8, s64 = 8, __u64 = 8, __s64 = 8, __be64 = 8, __le64 = 8,
}

-- Element size of an array's C type, or nil when the type does not say.
local function elem_size(ctype, long64)
	local base = ctype:gsub("%b[]", ""):gsub("__data_loc", ""):gsub("__rel_loc", "")
	base = trim(base:gsub("%f[%w_]const%f[^%w_]", ""):gsub("%f[%w_]unsigned%f[^%w_]", ""):gsub("%f[%w_]signed%f[^%w_]", ""))
	if base:find("%*") then
		return long64 and 8 or 4
	end
	if base:find("long long") then
		return 8
	end
	if base:find("long") then
		return long64 and 8 or 4
	end
	if base == "" then
		return 4 -- "unsigned" alone
	end
	return ELEM_SIZES[base:match("[%w_]+$") or ""]
end

local MASK_NAMES = { "flags", "mask", "state", "mode", "gfp", "prot" }

local function looks_like_mask(name)
	for _, w in ipairs(MASK_NAMES) do
		if name:find(w, 1, true) then
			return true
		end
	end
	return false
end

-- How a field is shown: its kind, and for integers whether in hex as
-- libtraceevent's raw printer does (pointers and unsigned longs).
local function classify(f)
	local ctype, size, flags = f.ctype, f.size, f.flags
	local is_array = has(flags, FL_ARRAY) or has(flags, FL_DYNAMIC)
	f.long = ctype:find("long") ~= nil
	if is_array then
		local addr = f.name:find("addr") and not has(flags, FL_DYNAMIC)
		local byte_elems = elem_size(ctype, true) == 1
		if ctype:find("char") then
			f.kind = "string"
		elseif addr and byte_elems and size == 4 then
			f.kind = "ipv4"
		elseif addr and byte_elems and size == 16 then
			f.kind = "ipv6"
		else
			f.kind = "array"
		end
	elseif (size == 1 or size == 2 or size == 4 or size == 8) then
		local base = trim(ctype:gsub("%f[%w_]const%f[^%w_]", ""))
		if (base == "bool" or base == "_Bool") and size == 1 then
			f.kind = "bool"
		else
			f.kind = has(flags, FL_SIGNED) and "int" or "uint"
			f.hex = has(flags, FL_POINTER) or (f.long and (f.kind == "uint" or size == 4))
			f.mask = f.kind == "uint" and looks_like_mask(f.name)
		end
	else
		f.kind = "array"
	end
	local numeric = f.kind == "int" or f.kind == "uint"
	f.sig = f.kind .. ":" .. (numeric and size or "")
	return f
end

-- One "field:TYPE NAME;\toffset:N;\tsize:N;\tsigned:N;" line, with the
-- flags libtraceevent would give it (tracenetctl attach sends those).
local function parse_field_line(line)
	local decl, off, size, signed = line:match(
		"^%s*field:(.-);%s*offset:(%d+);%s*size:(%d+);%s*signed:(%d+);")
	if not decl then
		return nil
	end
	local ctype, name, dim = decl:match("^(.-)%s*([%a_][%w_]*)%s*(%b[])%s*$")
	if not ctype then
		ctype, name = decl:match("^(.-)%s*([%a_][%w_]*)%s*$")
	end
	if not name or ctype == "" then
		return nil
	end
	local flags = signed == "1" and FL_SIGNED or 0
	if ctype:find("^%s*__data_loc") then
		flags = bor(flags, FL_DYNAMIC)
	elseif ctype:find("^%s*__rel_loc") then
		flags = bor(flags, FL_DYNAMIC, FL_RELATIVE)
	end
	if dim or ctype:find("%[") then
		flags = bor(flags, FL_ARRAY)
		if ctype:find("char") or ctype:find("u8") or ctype:find("s8") then
			flags = bor(flags, FL_STRING)
		end
	end
	if ctype:find("%*") then
		flags = bor(flags, FL_POINTER)
	end
	return {
		name = name, ctype = dim and (ctype .. dim) or ctype,
		offset = tonumber(off), size = tonumber(size), flags = flags,
	}
end

local parse_print_fmt -- below, with the printer

-- A tracefs format text: "name:", "ID:", the field lines, "print fmt:".
-- Returns a desc, or nil and why.
local function parse_format(text, system)
	local desc = { system = system, fields = {}, common = {} }
	local print_line
	for line in text:gmatch("[^\n]+") do
		local key, val = line:match("^(%a[%a ]*):%s*(.*)$")
		if key == "name" then
			desc.name = val
		elseif key == "ID" then
			desc.id = tonumber(val)
		elseif key == "print fmt" then
			print_line = val
		elseif line:find("^%s*field:") then
			local f = parse_field_line(line)
			if not f then
				return nil, "bad field line: " .. line
			end
			if f.name:find("^common_") then
				desc.common[#desc.common + 1] = f
			else
				desc.fields[#desc.fields + 1] = f
			end
		end
	end
	if not desc.name or not desc.id then
		return nil, "no name or ID line"
	end
	if #desc.fields > MAX_FIELDS then
		return nil, "more than " .. MAX_FIELDS .. " fields"
	end
	for _, f in ipairs(desc.fields) do
		classify(f)
	end
	desc.full = (system or "?") .. ":" .. desc.name
	desc.print_line = print_line
	return desc
end

---------------------------------------------------------------------------
-- Fields

local FRAME_TYPES = { [FRAME_EVENTS] = "events", [FRAME_META] = "metadata", [FRAME_HOST] = "host" }

local F = {
	version = ProtoField.uint8("tracenet.hdr.version", "Version"),
	type = ProtoField.uint8("tracenet.hdr.type", "Frame type", base.DEC, FRAME_TYPES),
	flags = ProtoField.uint8("tracenet.hdr.flags", "Flags", base.HEX),
	flag_be = ProtoField.bool("tracenet.hdr.flags.big_endian", "Field values big-endian", 8, nil, F_BIG_ENDIAN),
	flag_long64 = ProtoField.bool("tracenet.hdr.flags.long64", "Producer's long is 64-bit", 8, nil, F_LONG64),
	flag_more = ProtoField.bool("tracenet.hdr.flags.more", "Metadata record continues in the next frame", 8, nil, F_MORE),
	flag_raw = ProtoField.bool("tracenet.hdr.flags.raw_pointers", "Kernel addresses", 8,
		{ "raw", "keyed hashes" }, F_RAW_POINTERS),
	hdr_len = ProtoField.uint8("tracenet.hdr.len", "Header length"),
	hdr_cpu = ProtoField.uint16("tracenet.hdr.cpu", "CPU"),
	count = ProtoField.uint16("tracenet.hdr.count", "Count"),
	hdr_seq = ProtoField.uint64("tracenet.hdr.seq", "Sequence"),
	lost = ProtoField.uint64("tracenet.lost", "Events lost before this frame"),
	padding = ProtoField.bytes("tracenet.padding", "Padding"),
	malformed = ProtoField.string("tracenet.malformed", "Malformed"),

	event = ProtoField.string("tracenet.event", "Event"),
	system = ProtoField.string("tracenet.system", "System"),
	name = ProtoField.string("tracenet.name", "Name"),
	unknown = ProtoField.bool("tracenet.unknown", "No format known for the event id"),
	ev_len = ProtoField.uint16("tracenet.len", "Length"),
	nfields = ProtoField.uint16("tracenet.nfields", "Fields"),
	id = ProtoField.uint32("tracenet.id", "Event id"),
	ts = ProtoField.absolute_time("tracenet.ts", "Event time", base.UTC),
	pid = ProtoField.uint32("tracenet.pid", "Pid"),
	cflags = ProtoField.uint8("tracenet.common_flags", "Common flags", base.HEX),
	cf_irqs_off = ProtoField.bool("tracenet.common_flags.irqs_off", "IRQs off", 8, nil, 0x01),
	cf_resched = ProtoField.bool("tracenet.common_flags.need_resched", "Need resched", 8, nil, 0x04),
	cf_hardirq = ProtoField.bool("tracenet.common_flags.hardirq", "In hardirq", 8, nil, 0x08),
	cf_softirq = ProtoField.bool("tracenet.common_flags.softirq", "In softirq", 8, nil, 0x10),
	cf_nmi = ProtoField.bool("tracenet.common_flags.nmi", "In NMI", 8, nil, 0x40),
	preempt = ProtoField.uint8("tracenet.preempt_count", "Preempt count"),
	reserved = ProtoField.uint16("tracenet.reserved", "Reserved", base.HEX),
	comm = ProtoField.string("tracenet.comm", "Comm"),
	cpu = ProtoField.uint16("tracenet.cpu", "CPU"),
	seq = ProtoField.uint64("tracenet.seq", "Sequence"),
	text = ProtoField.string("tracenet.text", "Text"),

	field = ProtoField.string("tracenet.field", "Field"),
	field_name = ProtoField.string("tracenet.field.name", "Name"),
	field_value = ProtoField.string("tracenet.field.value", "Value"),
	field_index = ProtoField.uint16("tracenet.field.index", "TLV type (field index)"),
	field_len = ProtoField.uint16("tracenet.field.len", "TLV length"),
	field_data = ProtoField.bytes("tracenet.field.data", "Data"),

	meta = ProtoField.string("tracenet.meta", "Metadata"),
	meta_len = ProtoField.uint16("tracenet.meta.len", "Length"),
	meta_id = ProtoField.uint32("tracenet.meta.id", "Event id"),
	meta_system = ProtoField.string("tracenet.meta.system", "System"),
	meta_name = ProtoField.string("tracenet.meta.name", "Name"),
	meta_format = ProtoField.string("tracenet.meta.format", "Format"),
	meta_field = ProtoField.string("tracenet.meta.field", "Field"),
	mf_offset = ProtoField.uint16("tracenet.meta.field.offset", "Offset"),
	mf_size = ProtoField.uint16("tracenet.meta.field.size", "Size"),
	mf_flags = ProtoField.uint32("tracenet.meta.field.flags", "Flags", base.HEX),
	mf_signed = ProtoField.bool("tracenet.meta.field.signed", "Signed", 32, nil, FL_SIGNED),
	mf_dynamic = ProtoField.bool("tracenet.meta.field.dynamic", "Dynamic (__data_loc)", 32, nil, FL_DYNAMIC),
	mf_relative = ProtoField.bool("tracenet.meta.field.relative", "Relative (__rel_loc)", 32, nil, FL_RELATIVE),
	mf_string = ProtoField.bool("tracenet.meta.field.string", "String", 32, nil, FL_STRING),
	mf_array = ProtoField.bool("tracenet.meta.field.array", "Array", 32, nil, FL_ARRAY),
	mf_pointer = ProtoField.bool("tracenet.meta.field.pointer", "Pointer", 32, nil, FL_POINTER),
	mf_name = ProtoField.string("tracenet.meta.field.name", "Name"),
	mf_type = ProtoField.string("tracenet.meta.field.type", "C type"),
	meta_unknown = ProtoField.bytes("tracenet.meta.unknown", "Unknown TLV"),
	part = ProtoField.bytes("tracenet.meta.part", "Metadata part"),
	part_offset = ProtoField.uint64("tracenet.meta.part.offset", "Byte offset in the record"),
	part_index = ProtoField.uint32("tracenet.meta.part.index", "Part number"),
	part_first = ProtoField.framenum("tracenet.meta.part.first", "First part in frame"),
	part_dropped = ProtoField.framenum("tracenet.meta.part.dropped", "Record dropped in frame"),
	reassembled = ProtoField.uint32("tracenet.meta.reassembled", "Reassembled metadata record (bytes)"),
	reassembled_frame = ProtoField.framenum("tracenet.meta.reassembled.frame", "Part in frame"),

	host = ProtoField.string("tracenet.host", "Host"),
	host_name = ProtoField.string("tracenet.host.name", "Host name"),
	host_boot_id = ProtoField.guid("tracenet.host.boot_id", "Boot id"),
	host_clock = ProtoField.none("tracenet.host.clock", "Clocks"),
	hc_realtime = ProtoField.absolute_time("tracenet.host.clock.realtime", "CLOCK_REALTIME", base.UTC),
	hc_tai = ProtoField.uint64("tracenet.host.clock.tai", "CLOCK_TAI (ns)"),
	hc_monotonic = ProtoField.relative_time("tracenet.host.clock.monotonic", "CLOCK_MONOTONIC"),
	hc_boottime = ProtoField.relative_time("tracenet.host.clock.boottime", "CLOCK_BOOTTIME"),
	hc_tai_offset = ProtoField.int64("tracenet.host.clock.tai_offset", "TAI - realtime (ns)"),
	host_unknown = ProtoField.bytes("tracenet.host.unknown", "Unknown TLV"),
}

local E = {
	lost = ProtoExpert.new("tracenet.expert.lost", "Events lost (gap in the CPU's sequence numbers)",
		expert.group.SEQUENCE, expert.severity.WARN),
	seq_back = ProtoExpert.new("tracenet.expert.seq_back", "Sequence number went back (device restarted?)",
		expert.group.SEQUENCE, expert.severity.NOTE),
	malformed = ProtoExpert.new("tracenet.expert.malformed", "Malformed tracenet frame",
		expert.group.MALFORMED, expert.severity.ERROR),
	version = ProtoExpert.new("tracenet.expert.version", "Unsupported wire format version",
		expert.group.MALFORMED, expert.severity.ERROR),
	unknown = ProtoExpert.new("tracenet.expert.unknown_event", "Unknown event id (no metadata for it yet)",
		expert.group.UNDECODED, expert.severity.WARN),
	bad_meta = ProtoExpert.new("tracenet.expert.bad_metadata", "Unusable metadata record",
		expert.group.MALFORMED, expert.severity.WARN),
	meta_part = ProtoExpert.new("tracenet.expert.meta_part", "Metadata part missing (record in parts dropped)",
		expert.group.SEQUENCE, expert.severity.WARN),
	redefined = ProtoExpert.new("tracenet.expert.redefined", "Event id redefined by newer metadata",
		expert.group.PROTOCOL, expert.severity.NOTE),
	frame_type = ProtoExpert.new("tracenet.expert.frame_type", "Unknown frame type",
		expert.group.UNDECODED, expert.severity.NOTE),
	field = ProtoExpert.new("tracenet.expert.field", "Field value does not fit its format",
		expert.group.MALFORMED, expert.severity.WARN),
	internal = ProtoExpert.new("tracenet.expert.internal", "Dissector bug (tracenet.lua): frame not fully decoded",
		expert.group.MALFORMED, expert.severity.ERROR),
}

-- Second parts of the static abbreviations: an event of that name would
-- put its named fields among ours.
local RESERVED = {}
local all_fields = {}
for _, pf in pairs(F) do
	all_fields[#all_fields + 1] = pf
end
for _, abbr in ipairs({ "hdr", "lost", "padding", "malformed", "event", "system", "name",
	"unknown", "len", "nfields", "id", "ts", "pid", "common_flags", "preempt_count",
	"reserved", "comm", "cpu", "seq", "text", "field", "meta", "host", "expert" }) do
	RESERVED[abbr] = true
end

---------------------------------------------------------------------------
-- Start-up formats: named fields tracenet.<event>.<field>

local startup = {
	by_id = {},      -- [id] = desc, for the "decode without metadata" preference
	named = {},      -- [full][field name] = { pf, sig }
	abbrevs = {},    -- [abbrev] = { pf, sig }
	count = 0,       -- events with named fields
	sources = {},    -- what was loaded, for the preferences page
}

local function new_protofield(abbr, f, full)
	local desc = full .. ": " .. f.ctype .. " " .. f.name
	local k, size = f.kind, f.size
	if k == "int" then
		local mk = ({ [1] = ProtoField.int8, [2] = ProtoField.int16,
			[4] = ProtoField.int32, [8] = ProtoField.int64 })[size]
		return mk(abbr, f.name, base.DEC, nil, nil, desc)
	elseif k == "uint" then
		local mk = ({ [1] = ProtoField.uint8, [2] = ProtoField.uint16,
			[4] = ProtoField.uint32, [8] = ProtoField.uint64 })[size]
		local b = f.hex and base.HEX_DEC or (f.mask and base.DEC_HEX or base.DEC)
		return mk(abbr, f.name, b, nil, nil, desc)
	elseif k == "bool" then
		return ProtoField.bool(abbr, f.name, base.NONE, nil, nil, desc)
	elseif k == "string" then
		return ProtoField.string(abbr, f.name, desc)
	elseif k == "ipv4" then
		return ProtoField.ipv4(abbr, f.name, desc)
	elseif k == "ipv6" then
		return ProtoField.ipv6(abbr, f.name, desc)
	end
	return ProtoField.bytes(abbr, f.name, base.NONE, desc)
end

local function sanitize(s)
	return (s:gsub("[^%w_]", "_"))
end

-- Named fields for @desc's fields; an abbreviation that exists with
-- another type (the same event name in two systems, say) keeps the first.
local function register_named(desc)
	local ev = sanitize(desc.name)
	if RESERVED[ev] or startup.named[desc.full] then
		return
	end
	local named = {}
	for _, f in ipairs(desc.fields) do
		local abbr = "tracenet." .. ev .. "." .. sanitize(f.name)
		local known = startup.abbrevs[abbr]
		if not known then
			known = { pf = new_protofield(abbr, f, desc.full), sig = f.sig }
			startup.abbrevs[abbr] = known
			all_fields[#all_fields + 1] = known.pf
		end
		if known.sig == f.sig then
			named[f.name] = known
		end
	end
	startup.named[desc.full] = named
	startup.count = startup.count + 1
	if not startup.by_id[desc.id] then
		startup.by_id[desc.id] = desc
	end
end

-- The formats file: records of "system: SYS" and a tracefs format text.
local function load_formats_file(path)
	local text = read_file(path)
	if not text then
		return false
	end
	local n = 0
	local records, cur = {}, nil
	for line in (text .. "\n"):gmatch("([^\n]*)\n") do
		local system = line:match("^system:%s*(.-)%s*$")
		if system then
			cur = { system = system, lines = {} }
			records[#records + 1] = cur
		elseif cur then
			cur.lines[#cur.lines + 1] = line
		end
	end
	for _, r in ipairs(records) do
		local desc = parse_format(table.concat(r.lines, "\n"), r.system)
		if desc then
			desc.origin = "file"
			register_named(desc)
			n = n + 1
		end
	end
	startup.sources[#startup.sources + 1] = string.format("%s (%d events)", path, n)
	return true
end

local function tracefs_dir()
	local dir = setting("tracefs", "TRACENET_TRACEFS", "tracefs_dir", "")
	if dir == "off" or dir == "0" or dir == "none" then
		return nil
	end
	if dir ~= "" then
		return dir
	end
	for _, d in ipairs({ "/sys/kernel/tracing", "/sys/kernel/debug/tracing" }) do
		local f = io.open(d .. "/available_events", "r")
		if f then
			f:close()
			return d
		end
	end
end

-- Every "system:name" of tracefs, from one file: listing thousands of
-- event directories would make start-up slow.
local function tracefs_events(dir)
	local text = dir and read_file(dir .. "/available_events")
	local out = {}
	for line in (text or ""):gmatch("[^\n]+") do
		local system, name = line:match("^([^:]+):(.+)$")
		if system then
			out[#out + 1] = { system = system, name = name }
		end
	end
	return out
end

local function tracefs_desc(dir, system, name)
	local text = read_file(dir .. "/events/" .. system .. "/" .. name .. "/format")
	local desc = text and parse_format(text, system)
	if desc then
		desc.origin = "tracefs"
	end
	return desc
end

local function load_tracefs(dir, globs)
	local pats = {}
	for _, g in ipairs(split_list(globs)) do
		if not g:find(":") then
			g = g .. ":*"
		end
		pats[#pats + 1] = glob_pattern(g:gsub("/", ":", 1))
	end
	local n = 0
	for _, e in ipairs(tracefs_events(dir)) do
		local full = e.system .. ":" .. e.name
		for _, p in ipairs(pats) do
			if full:find(p) then
				local desc = tracefs_desc(dir, e.system, e.name)
				if desc then
					register_named(desc)
					n = n + 1
				end
				break
			end
		end
	end
	startup.sources[#startup.sources + 1] = string.format("%s for %s (%d events)", dir, globs, n)
end

local function load_startup()
	local path = setting("formats", "TRACENET_FORMATS", "formats_file", "")
	if path == "off" or path == "none" then
		path = nil
	elseif path == "" then
		local ok, p = pcall(Dir.personal_config_path, "tracenet.formats")
		if ok and p and read_file(p) then
			load_formats_file(p)
		end
	elseif path and not load_formats_file(path) then
		report_failure("tracenet: cannot read the formats file " .. path)
	end
	local dir = tracefs_dir()
	local globs = setting("events", "TRACENET_EVENTS", "startup_events", DEFAULT_EVENTS)
	if dir and globs ~= "" then
		load_tracefs(dir, globs)
	end
end

-- Start-up loading must not keep Wireshark from starting: a bad file
-- costs the named fields, nothing else.
do
	local ok, err = pcall(load_startup)
	if not ok then
		report_failure("tracenet: loading start-up formats failed: " .. tostring(err))
	end
end

tn.fields = all_fields
tn.experts = {}
for _, e in pairs(E) do
	tn.experts[#tn.experts + 1] = e
end

---------------------------------------------------------------------------
-- Preferences

tn.prefs.udp_port = Pref.uint("UDP port", 0,
	"Decode UDP datagrams to/from this port as tracenet (0: off). The payload starts with the tracenet header.")
tn.prefs.startup_ids = Pref.bool("Decode events without metadata with start-up formats", false,
	"An event whose id no metadata frame described yet is decoded with the formats loaded at start-up "
	.. "(formats file, local tracefs), matched by event id. Right only for captures from this machine "
	.. "(or the one the formats file came from): event ids differ between kernels.")
tn.prefs.startup_events = Pref.string("Events with named fields (tracefs globs)", DEFAULT_EVENTS,
	"Comma-separated system:name globs of the local tracefs events whose formats are read at start-up "
	.. "to make named fields tracenet.<event>.<field>. Applies at the next start. "
	.. "Overridden by $TRACENET_EVENTS and -X lua_script1:events=...")
tn.prefs.formats_file = Pref.string("Formats file", "",
	"File written by 'tracenetctl formats -o FILE' (default: tracenet.formats in the personal "
	.. "configuration folder). Applies at the next start.")
tn.prefs.tracefs_dir = Pref.string("tracefs directory", "",
	"Where to read local event formats (default /sys/kernel/tracing; 'off' to not read it). "
	.. "Applies at the next start.")
tn.prefs.loaded = Pref.statictext(string.format("Named fields at this start: %d events, from %s.",
	startup.count, #startup.sources > 0 and table.concat(startup.sources, "; ") or "nowhere"))

---------------------------------------------------------------------------
-- Capture state. Formats and sequence numbers belong to one producer (a
-- source address); results of the first, in-order pass are kept per frame
-- so that dissecting a frame again (a click in the GUI) gives the same tree.

local state

local function new_state()
	return {
		sources = {},   -- [src] = { ids = { [id] = { {frame, desc}... } }, cpus = { [cpu] = UInt64 next },
		                --           hosts = { {frame, name, boot}... },
		                --           chain, dropped: a metadata record in parts, see meta_part() }
		frames = {},    -- [frame number] = { lost = UInt64, expected = UInt64 } or { back = true, ... }
		parts = {},     -- [frame number] = what a metadata part was: see meta_part()
		tracefs_ids = nil,
		tracefs_cache = {},
	}
end

state = new_state()

function tn.init()
	state = new_state()
end

local function source_of(pinfo)
	local key = tostring(pinfo.src)
	local src = state.sources[key]
	if not src then
		src = { ids = {}, cpus = {}, hosts = {} }
		state.sources[key] = src
	end
	return src
end

-- The format of @id that frame @number sees: the newest metadata that
-- came in an earlier frame.
local function capture_desc(src, id, number)
	local list = src.ids[id]
	if not list then
		return nil
	end
	for i = #list, 1, -1 do
		if list[i].frame < number then
			return list[i].desc
		end
	end
end

-- The id's tracefs format, found on demand: reading every event's id at
-- start-up would cost as much as parsing them.
local function tracefs_by_id(id)
	if not state.tracefs_ids then
		state.tracefs_ids = {}
		local dir = tracefs_dir()
		for _, e in ipairs(dir and tracefs_events(dir) or {}) do
			local t = read_file(dir .. "/events/" .. e.system .. "/" .. e.name .. "/id")
			local n = t and tonumber(t:match("%d+"))
			if n then
				state.tracefs_ids[n] = { dir = dir, system = e.system, name = e.name }
			end
		end
	end
	local e = state.tracefs_ids[id]
	if not e then
		return nil
	end
	if state.tracefs_cache[id] == nil then
		state.tracefs_cache[id] = tracefs_desc(e.dir, e.system, e.name) or false
	end
	return state.tracefs_cache[id] or nil
end

local function lookup_desc(src, id, number)
	local desc = capture_desc(src, id, number)
	if desc or not tn.prefs.startup_ids then
		return desc
	end
	return startup.by_id[id] or tracefs_by_id(id)
end

---------------------------------------------------------------------------
-- Values

local TWO32 = 4294967296

-- An integer field as 64 raw bits (UInt64), sign-extended for signed
-- fields, from a range of exactly @size (1, 2, 4 or 8) bytes.
local function raw_bits(r, size, signed, big)
	if size == 8 then
		return big and r:uint64() or r:le_uint64()
	end
	local n = big and r:uint() or r:le_uint()
	local top = 2 ^ (8 * size - 1)
	if signed and n >= top then
		return UInt64(n - 2 * top + TWO32, 0xffffffff)
	end
	return UInt64(n, 0)
end

local function hex_of(u)
	return "0x" .. (u:tohex():gsub("^0+(%x)", "%1"))
end

local function signed_of(u, bits)
	if bits == 64 then
		return tostring(Int64(u:lower(), u:higher()))
	end
	local n = u:lower() % (2 ^ bits)
	if n >= 2 ^ (bits - 1) then
		n = n - 2 ^ bits
	end
	return string.format("%d", n)
end

-- Text of a string value: up to its NUL, as UTF-8 (bad bytes replaced).
local function string_range(r)
	local raw = r:raw()
	local nul = raw:find("\0", 1, true)
	local n = nul and nul - 1 or #raw
	if n == 0 then
		return "", r
	end
	local sub = r:range(0, n)
	return sub:string(ENC_UTF_8), sub
end

local function int_text(f, u)
	if f.kind == "bool" then
		return u:lower() ~= 0 and "1" or "0"
	end
	if f.hex then
		return hex_of(f.size == 8 and u or UInt64(u:lower(), 0))
	end
	if f.kind == "int" then
		return signed_of(u, 8 * f.size)
	end
	return tostring(u)
end

local function array_text(f, r, big, long64)
	local es = elem_size(f.ctype, long64)
	local len = r:len()
	if not es or es == 1 or len % es ~= 0 or len == 0 then
		return r:bytes():tohex(true)
	end
	local signed = has(f.flags, FL_SIGNED)
	local hex = f.long or f.ctype:find("%*")
	local out = {}
	for off = 0, len - es, es do
		local u = raw_bits(r:range(off, es), es, signed, big)
		if hex then
			out[#out + 1] = hex_of(es == 8 and u or UInt64(u:lower(), 0))
		elseif signed then
			out[#out + 1] = signed_of(u, 8 * es)
		else
			out[#out + 1] = tostring(u)
		end
		if #out >= 64 then
			out[#out + 1] = "..."
			break
		end
	end
	return "{" .. table.concat(out, ", ") .. "}"
end

local function ipv4_text(r)
	return string.format("%d.%d.%d.%d", r:range(0, 1):uint(), r:range(1, 1):uint(),
		r:range(2, 1):uint(), r:range(3, 1):uint())
end

-- Decode one field's TLV value: returns its text, the value a named
-- field takes (nil: add it from the range), and a problem, if any.
local function decode_value(f, r, big, long64)
	local k = f.kind
	if k == "int" or k == "uint" or k == "bool" then
		if r:len() ~= f.size then
			return r:bytes():tohex(true), nil, string.format("%d bytes for a field of %d", r:len(), f.size)
		end
		local u = raw_bits(r, f.size, k == "int", big)
		local val
		if f.size == 8 then
			val = k == "int" and Int64(u:lower(), u:higher()) or u
		elseif k == "int" then
			val = tonumber(signed_of(u, 8 * f.size))
		elseif k == "bool" then
			val = u:lower() ~= 0
		else
			val = u:lower()
		end
		return int_text(f, u), val, nil, u
	elseif k == "string" then
		local s = string_range(r)
		return s, s
	elseif k == "ipv4" and r:len() == 4 then
		return ipv4_text(r), nil
	elseif k == "ipv6" and r:len() == 16 then
		return tostring(r:ipv6()), nil
	end
	if (k == "ipv4" or k == "ipv6") then
		return r:bytes():tohex(true), nil, "address of unexpected length"
	end
	return array_text(f, r, big, long64), nil
end

---------------------------------------------------------------------------
-- The print fmt of a format, for the Info column, when it is simple
-- enough to render exactly: a string literal and arguments that are
-- plain fields (REC->x, __get_str(x), maybe behind casts). Anything else
-- (__print_flags, arithmetic, %pS...) and the event shows field=value.

local CONV = "^%%([-+ #0]*)(%d*)(%.?%d*)([hlLzjt]*)([diouxXcsp])"

local function unescape_c(s)
	local map = { n = "\n", t = "\t", ['"'] = '"', ["\\"] = "\\" }
	local out, i = {}, 1
	while i <= #s do
		local c = s:sub(i, i)
		if c == "\\" then
			local m = map[s:sub(i + 1, i + 1)]
			if not m then
				return nil
			end
			out[#out + 1] = m
			i = i + 2
		elseif c == '"' then
			return table.concat(out), i
		else
			out[#out + 1] = c
			i = i + 1
		end
	end
	return nil
end

local function split_args(s)
	local args, depth, start, quote = {}, 0, 1, false
	for i = 1, #s do
		local c = s:sub(i, i)
		if quote then
			if c == '"' and s:sub(i - 1, i - 1) ~= "\\" then
				quote = false
			end
		elseif c == '"' then
			quote = true
		elseif c == "(" then
			depth = depth + 1
		elseif c == ")" then
			depth = depth - 1
		elseif c == "," and depth == 0 then
			args[#args + 1] = trim(s:sub(start, i - 1))
			start = i + 1
		end
	end
	args[#args + 1] = trim(s:sub(start))
	return args
end

-- "((unsigned long)(REC->dfd))" -> field dfd, "__get_str(name)" -> name.
local function simple_arg(a)
	for _ = 1, 8 do
		if a:find("^%b()$") then
			a = trim(a:sub(2, -2))
		else
			local rest = a:match("^%(%s*[%a_][%w_%s%*]*%)%s*(.+)$")
			if not rest then
				break
			end
			a = trim(rest)
		end
	end
	return a:match("^REC%->([%a_][%w_]*)$")
		or a:match("^__get_str%(%s*([%a_][%w_]*)%s*%)$")
		or a:match("^__get_rel_str%(%s*([%a_][%w_]*)%s*%)$")
end

function parse_print_fmt(line, desc)
	if not line or line:sub(1, 1) ~= '"' then
		return nil
	end
	local fmt, close = unescape_c(line:sub(2))
	if not fmt then
		return nil
	end
	local args = split_args(line:sub(close + 2))
	if args[1] ~= "" then
		return nil
	end
	table.remove(args, 1)
	local by_name = {}
	for i, f in ipairs(desc.fields) do
		by_name[f.name] = i
	end
	local pieces, i, nconv = {}, 1, 0
	while i <= #fmt do
		local pct = fmt:find("%", i, true)
		if not pct then
			pieces[#pieces + 1] = fmt:sub(i)
			break
		end
		pieces[#pieces + 1] = fmt:sub(i, pct - 1)
		if fmt:sub(pct + 1, pct + 1) == "%" then
			pieces[#pieces + 1] = "%"
			i = pct + 2
		else
			local flags, width, prec, len, conv = fmt:sub(pct):match(CONV)
			if not conv or prec ~= "" then
				return nil
			end
			local after = pct + #flags + #width + #len + 2
			if conv == "p" and fmt:sub(after, after):find("[%a]") then
				if fmt:sub(after, after) ~= "x" then
					return nil -- %pS, %pI4...: kernel extensions
				end
				after = after + 1
			end
			nconv = nconv + 1
			local fi = by_name[simple_arg(args[nconv] or "") or ""]
			local f = fi and desc.fields[fi]
			if not f then
				return nil
			end
			local is_str = f.kind == "string"
			if (conv == "s") ~= is_str or (not is_str and f.kind == "array") then
				return nil
			end
			pieces[#pieces + 1] = { flags = flags, width = tonumber(width), len = len,
				conv = conv, field = fi }
			i = after
		end
	end
	if nconv ~= #args then
		return nil
	end
	return pieces
end

local function conv_bits(len, long64)
	if len == "hh" then
		return 8
	elseif len == "h" then
		return 16
	elseif len == "ll" or len == "L" or len == "j" then
		return 64
	elseif len == "l" or len == "z" or len == "t" then
		return long64 and 64 or 32
	end
	return 32
end

local function pad(s, p, numeric)
	local w = p.width
	if not w or #s >= w then
		return s
	end
	if p.flags:find("-", 1, true) then
		return s .. string.rep(" ", w - #s)
	end
	if numeric and p.flags:find("0", 1, true) then
		local sign, rest = s:match("^([-+]?0?[xX]?)(.*)$")
		if sign:find("[xX]") or sign == "-" or sign == "+" then
			return sign .. string.rep("0", w - #s) .. rest
		end
		return string.rep("0", w - #s) .. s
	end
	return string.rep(" ", w - #s) .. s
end

local function render_conv(p, v, long64)
	if p.conv == "s" then
		return pad(v.text, p, false)
	end
	local u = v.bits
	if not u then
		return nil
	end
	local bits = p.conv == "p" and (long64 and 64 or 32) or conv_bits(p.len, long64)
	local masked = bits == 64 and u or UInt64(u:lower() % (2 ^ math.min(bits, 32)), 0)
	local s
	if p.conv == "d" or p.conv == "i" then
		s = signed_of(u, bits)
		if p.flags:find("+", 1, true) and s:sub(1, 1) ~= "-" then
			s = "+" .. s
		end
	elseif p.conv == "u" then
		s = tostring(masked)
	elseif p.conv == "x" or p.conv == "X" or p.conv == "p" then
		s = masked:tohex():gsub("^0+(%x)", "%1")
		if p.conv == "X" then
			s = s:upper()
		end
		if p.conv == "p" or (p.flags:find("#", 1, true) and s ~= "0") then
			s = "0x" .. s
		end
	elseif p.conv == "o" then
		return nil
	elseif p.conv == "c" then
		local c = masked:lower() % 256
		s = (c >= 32 and c < 127) and string.char(c) or "?"
	end
	return pad(s, p, p.conv ~= "c")
end

local function print_fmt_text(desc, values, long64)
	if desc.print_pieces == nil then
		desc.print_pieces = parse_print_fmt(desc.print_line, desc) or false
	end
	if not desc.print_pieces then
		return nil
	end
	local out = {}
	for _, p in ipairs(desc.print_pieces) do
		if type(p) == "string" then
			out[#out + 1] = p
		else
			local v = values[p.field]
			local s = v and render_conv(p, v, long64)
			if not s then
				return nil
			end
			out[#out + 1] = s
		end
	end
	return table.concat(out)
end

-- The event's one-line text: its print fmt when that renders exactly,
-- else "field=value" pairs, as trace-cmd report -R prints them.
local function event_text(desc, values, long64)
	local ok, s = pcall(print_fmt_text, desc, values, long64)
	if ok and s then
		return s
	end
	local out = {}
	for i, f in ipairs(desc.fields) do
		local v = values[i]
		if v then
			out[#out + 1] = f.name .. "=" .. v.text
		end
	end
	return table.concat(out, " ")
end

---------------------------------------------------------------------------
-- Dissection

-- What the frame turned out to be, for the Info column.
local function new_frame_info()
	return { events = 0, first = nil, problems = {} }
end

local function malformed(ctx, item, range, msg)
	item:add_proto_expert_info(E.malformed, msg)
	local m = ctx.root:add(F.malformed, range, msg)
	m:set_generated()
	m:set_hidden()
	ctx.info.problems[#ctx.info.problems + 1] = msg
end

-- Gaps in a CPU's sequence, computed in the first pass, in frame order.
local function check_seq(ctx, src, cpu, seq, count)
	local number = ctx.pinfo.number
	if not ctx.pinfo.visited then
		local next_seq = src.cpus[cpu]
		local rec
		if next_seq and seq > next_seq then
			rec = { lost = seq - next_seq, expected = next_seq }
		elseif next_seq and seq < next_seq then
			rec = { back = true, expected = next_seq }
		end
		state.frames[number] = rec
		src.cpus[cpu] = seq + count
	end
	return state.frames[number]
end

local function add_seq_info(ctx, cpu, seq, gap)
	if not gap then
		return
	end
	if gap.lost then
		local it = ctx.root:add(F.lost, ctx.hdr_range, gap.lost)
		it:set_generated()
		it:add_proto_expert_info(E.lost, string.format(
			"%s events lost on CPU %d (sequence %s expected, %s received)",
			tostring(gap.lost), cpu, tostring(gap.expected), tostring(seq)))
		ctx.info.lost = gap.lost
	elseif gap.back then
		ctx.root:add_proto_expert_info(E.seq_back, string.format(
			"CPU %d sequence went back from %s to %s (device restarted?)",
			cpu, tostring(gap.expected), tostring(seq)))
	end
end

local function add_common_flags(t, r)
	local it = t:add(F.cflags, r)
	it:add(F.cf_irqs_off, r)
	it:add(F.cf_resched, r)
	it:add(F.cf_hardirq, r)
	it:add(F.cf_softirq, r)
	it:add(F.cf_nmi, r)
end

-- One TLV of a known event: the generic name/value pair, and the named
-- field when one was registered at start-up for this name and type.
local function add_field(ctx, et, desc, f, tlv_r, val_r)
	local text, val, problem, bits = decode_value(f, val_r, ctx.big, ctx.long64)
	local named = startup.named[desc.full]
	named = named and named[f.name]
	if named and named.sig ~= f.sig then
		named = nil
	end
	local label = f.name .. ": " .. text
	local item
	if named and not problem then
		-- Typed from the bytes where Wireshark can (addresses, bytes),
		-- else from the value decoded in the producer's byte order.
		if val == nil then
			item = et:add(named.pf, val_r)
		else
			item = et:add(named.pf, val_r, val)
		end
	end
	local generic = et:add(F.field, tlv_r, f.name .. "=" .. text)
	if item then
		generic:set_hidden()
	else
		generic:set_text(label)
	end
	-- Not the TLV header's type and length: two more items per field
	-- cost a third of the dissection time; unknown fields show them.
	generic:add(F.field_name, tlv_r, f.name)
	generic:add(F.field_value, val_r, text)
	if problem then
		generic:add_proto_expert_info(E.field, f.name .. ": " .. problem)
	end
	return { text = text, bits = bits }
end

local function add_unknown_field(et, index, tlv_r, val_r, why)
	local it = et:add(F.field, tlv_r, "#" .. index)
	it:set_text(string.format("Field #%d: %d bytes%s", index, val_r:len(), why or ""))
	it:add(F.field_index, tlv_r:range(0, 2))
	it:add(F.field_len, tlv_r:range(2, 2))
	if val_r:len() > 0 then
		it:add(F.field_data, val_r)
	end
	return it
end

-- The TLVs of one event, from @off to @stop (exclusive) of @tvb.
local function dissect_tlvs(ctx, et, desc, tvb, off, stop, nfields)
	local values = {}
	local problem
	for i = 1, nfields do
		if stop - off < TLV_HDR then
			problem = string.format("field %d of %d: truncated TLV header (%d bytes left)",
				i - 1, nfields, stop - off)
			break
		end
		local typ = tvb(off, 2):uint()
		local len = tvb(off + 2, 2):uint()
		local need = TLV_HDR + align4(len)
		if need > stop - off then
			problem = string.format("field %d of %d: TLV type %d length %d past the end (%d bytes left)",
				i - 1, nfields, typ, len, stop - off - TLV_HDR)
			break
		end
		local tlv_r = tvb(off, need)
		local val_r = tvb(off + TLV_HDR, len)
		local f = desc and desc.fields[typ + 1]
		if f then
			values[typ + 1] = add_field(ctx, et, desc, f, tlv_r, val_r)
		elseif desc then
			local it = add_unknown_field(et, typ, tlv_r, val_r, ": no such field")
			it:add_proto_expert_info(E.field, string.format(
				"field %d: %s has only %d fields", typ, desc.full, #desc.fields))
			problem = problem or string.format("field %d: the event has only %d fields", typ, #desc.fields)
		else
			add_unknown_field(et, typ, tlv_r, val_r)
		end
		off = off + need
	end
	if not problem and off < stop then
		problem = string.format("%d bytes after its %d fields", stop - off, nfields)
	end
	return values, problem, off
end

local function ts_nstime(ts)
	local secs = (ts / 1000000000):tonumber()
	local nsecs = (ts % 1000000000):tonumber()
	return NSTime(secs, nsecs)
end

local function dissect_event(ctx, src, tvb, off, len, index, seq)
	local er = tvb(off, len)
	local nfields = tvb(off + 2, 2):uint()
	local id = tvb(off + 4, 4):uint()
	local ts = tvb(off + 8, 8):uint64()
	local pid = tvb(off + 16, 4):uint()
	local comm = string_range(tvb(off + 24, 16))
	local desc = lookup_desc(src, id, ctx.pinfo.number)
	-- The subtree is the event id's item, known or not: one tracenet.id
	-- per event, in order, whatever is known of it.
	local et = ctx.root:add(F.id, er, id)
	et:set_text(string.format("Event id %d (no format known)", id))
	et:add(F.ev_len, tvb(off, 2))
	et:add(F.nfields, tvb(off + 2, 2))
	if desc then
		et:add(F.event, er, desc.full):set_generated()
		et:add(F.system, er, desc.system):set_generated()
		et:add(F.name, er, desc.name):set_generated()
	else
		et:add(F.unknown, er, true):set_generated()
		et:add_proto_expert_info(E.unknown, string.format(
			"no metadata for event id %d (yet): its fields are shown without names", id))
	end
	et:add(F.ts, tvb(off + 8, 8), ts_nstime(ts))
	et:add(F.pid, tvb(off + 16, 4))
	add_common_flags(et, tvb(off + 20, 1))
	et:add(F.preempt, tvb(off + 21, 1))
	et:add(F.reserved, tvb(off + 22, 2))
	et:add(F.comm, tvb(off + 24, 16), comm)
	et:add(F.cpu, ctx.cpu_range, ctx.cpu):set_generated()
	et:add(F.seq, ctx.seq_range, seq):set_generated()
	if nfields > MAX_FIELDS then
		malformed(ctx, et, er, string.format("event id %d: %d fields, more than %d", id, nfields, MAX_FIELDS))
	end
	local values, problem = dissect_tlvs(ctx, et, desc, tvb, off + EVENT_HDR, off + len, nfields)
	if problem then
		malformed(ctx, et, er, string.format("event %d of %d (id %d): %s", index, ctx.count, id, problem))
	end
	local line
	if desc then
		local text = event_text(desc, values, ctx.long64)
		et:add(F.text, er, text):set_generated()
		et:set_text(desc.full .. ": " .. text)
		line = string.format("%s-%d [%03d] %s: %s", comm, pid, ctx.cpu, desc.name, text)
	else
		line = string.format("%s-%d [%03d] event id %d (no metadata yet)", comm, pid, ctx.cpu, id)
	end
	ctx.info.events = ctx.info.events + 1
	ctx.info.first = ctx.info.first or line
end

-- Cut the next length-prefixed item (event or metadata record) as
-- tracenetctl's wire.c does; returns its length or nil and why. @whole
-- names what holds the items (default: the frame).
local function next_item(tvb, off, stop, min, what, index, count, whole)
	local left = stop - off
	if left < min then
		return nil, string.format("%s %d of %d: truncated (%d bytes left, header is %d)",
			what, index, count, left, min)
	end
	local len = tvb(off, 2):uint()
	if len < min then
		return nil, string.format("%s %d of %d: length %d shorter than its header (%d)",
			what, index, count, len, min)
	end
	if len > left then
		return nil, string.format("%s %d of %d: length %d past the end of %s (%d bytes left)",
			what, index, count, len, whole or "the frame", left)
	end
	return len
end

local function dissect_events(ctx, tvb, off, stop)
	local src = source_of(ctx.pinfo)
	local gap = check_seq(ctx, src, ctx.cpu, ctx.seq, ctx.count)
	add_seq_info(ctx, ctx.cpu, ctx.seq, gap)
	for i = 1, ctx.count do
		local len, err = next_item(tvb, off, stop, EVENT_HDR, "event", i, ctx.count)
		if not len then
			malformed(ctx, ctx.root, tvb(off, stop - off), err)
			return stop
		end
		dissect_event(ctx, src, tvb, off, len, i, ctx.seq + (i - 1))
		off = off + len
	end
	return off
end

---------------------------------------------------------------------------
-- Metadata

local function meta_string(r)
	local raw = r:raw()
	local nul = raw:find("\0", 1, true)
	if not nul then
		return nil
	end
	return r:range(0, nul - 1):string(ENC_UTF_8)
end

local function meta_field(mt, r, index)
	local len = r:len()
	if len < META_FIELD_MIN + 2 then
		return nil, string.format("field %d: length %d too short", index, len)
	end
	local raw = r:raw(META_FIELD_MIN)
	local name, ctype = raw:match("^([^%z]*)%z([^%z]*)%z")
	if not name then
		return nil, string.format("field %d: name or type not NUL-terminated", index)
	end
	local f = {
		offset = r:range(0, 2):uint(), size = r:range(2, 2):uint(),
		flags = r:range(4, 4):uint(), name = r:range(META_FIELD_MIN, #name):string(ENC_UTF_8),
		ctype = r:range(META_FIELD_MIN + #name + 1, #ctype):string(ENC_UTF_8),
	}
	local it = mt:add(F.meta_field, r, f.name)
	it:set_text(string.format("Field %d: %s %s (offset %d, size %d, flags 0x%x)",
		index, f.ctype, f.name, f.offset, f.size, f.flags))
	it:add(F.mf_offset, r:range(0, 2))
	it:add(F.mf_size, r:range(2, 2))
	local fl = it:add(F.mf_flags, r:range(4, 4))
	for _, pf in ipairs({ F.mf_signed, F.mf_dynamic, F.mf_relative, F.mf_string, F.mf_array, F.mf_pointer }) do
		fl:add(pf, r:range(4, 4))
	end
	it:add(F.mf_name, r:range(META_FIELD_MIN, #name + 1), f.name)
	it:add(F.mf_type, r:range(META_FIELD_MIN + #name + 1, #ctype + 1), f.ctype)
	if f.offset + f.size > 65535 then
		return nil, "field '" .. f.name .. "' past the largest record"
	end
	if has(f.flags, FL_DYNAMIC) and f.size ~= 4 then
		return nil, string.format("dynamic field '%s' of size %d (must be 4)", f.name, f.size)
	end
	return classify(f)
end

-- A record's event description, from its field table, or when it has
-- none (older producers), from the format text's own field lines.
local function meta_desc(m)
	local desc
	if m.format then
		desc = parse_format(m.format, m.system)
	end
	if #m.fields > 0 then
		desc = desc or {}
		desc.fields = m.fields
	elseif not desc then
		return nil, "no field table, and the format text does not parse"
	end
	desc.id, desc.system, desc.name = m.id, m.system, m.name
	desc.full = m.system .. ":" .. m.name
	desc.format = m.format
	desc.origin = "capture"
	return desc
end

local function same_desc(a, b)
	if a.full ~= b.full or a.format ~= b.format or #a.fields ~= #b.fields then
		return false
	end
	for i, f in ipairs(a.fields) do
		local g = b.fields[i]
		if f.name ~= g.name or f.offset ~= g.offset or f.size ~= g.size or f.flags ~= g.flags then
			return false
		end
	end
	return true
end

local function learn(ctx, src, desc, mt)
	local number = ctx.pinfo.number
	local list = src.ids[desc.id]
	if not ctx.pinfo.visited then
		if not list then
			list = {}
			src.ids[desc.id] = list
		end
		local last = list[#list]
		if not last or not same_desc(last.desc, desc) then
			list[#list + 1] = { frame = number, desc = desc, redefines = last and last.desc.full }
		end
	end
	for _, e in ipairs(list or {}) do
		if e.frame == number and e.redefines then
			mt:add_proto_expert_info(E.redefined, string.format(
				"event id %d was %s, now %s", desc.id, e.redefines, desc.full))
		end
	end
end

local function dissect_meta_record(ctx, src, tvb, off, len, index, parent)
	local r = tvb(off, len)
	local id = tvb(off + 4, 4):uint()
	local mt = (parent or ctx.root):add(F.meta, r, tostring(id))
	mt:add(F.meta_len, tvb(off, 2))
	mt:add(F.reserved, tvb(off + 2, 2))
	mt:add(F.meta_id, tvb(off + 4, 4))
	local m = { id = id, fields = {} }
	local p, stop, problem = off + META_HDR, off + len, nil
	while p < stop and not problem do
		if stop - p < TLV_HDR then
			problem = string.format("truncated TLV header (%d bytes left)", stop - p)
			break
		end
		local typ, tlen = tvb(p, 2):uint(), tvb(p + 2, 2):uint()
		local need = TLV_HDR + align4(tlen)
		if need > stop - p then
			problem = string.format("TLV type %d length %d past the end (%d bytes left)",
				typ, tlen, stop - p - TLV_HDR)
			break
		end
		local vr = tvb(p + TLV_HDR, tlen)
		local key = ({ [META_SYSTEM] = "system", [META_NAME] = "name", [META_FORMAT] = "format" })[typ]
		if key then
			local s = meta_string(vr)
			if not s then
				problem = key .. " not NUL-terminated"
			elseif m[key] then
				problem = key .. " given twice"
			else
				m[key] = s
				local pf = ({ system = F.meta_system, name = F.meta_name, format = F.meta_format })[key]
				mt:add(pf, vr, s)
			end
		elseif typ == META_FIELD then
			if #m.fields >= MAX_FIELDS then
				problem = "more than " .. MAX_FIELDS .. " fields"
			else
				local f, err = meta_field(mt, vr, #m.fields)
				m.fields[#m.fields + 1] = f
				problem = err
			end
		else
			-- Newer producers may add attributes: shown, not an error.
			local it = mt:add(F.meta_unknown, tvb(p, need))
			it:append_text(string.format(" (type %d, %d bytes)", typ, tlen))
		end
		p = p + need
	end
	if not problem then
		problem = (not m.system and "no system") or (not m.name and "no name")
			or (not m.format and "no format") or nil
	end
	local desc
	if not problem then
		desc, problem = meta_desc(m)
	end
	if problem then
		local msg = string.format("metadata for id %d: %s", id, problem)
		mt:add_proto_expert_info(E.bad_meta, msg)
		ctx.info.problems[#ctx.info.problems + 1] = msg
		mt:set_text(string.format("Metadata: event id %d (unusable: %s)", id, problem))
		return
	end
	mt:set_text(string.format("Metadata: %s (id %d), %d fields", desc.full, id, #desc.fields))
	learn(ctx, src, desc, mt)
	ctx.info.meta = ctx.info.meta or {}
	ctx.info.meta[#ctx.info.meta + 1] = string.format("%s (id %d)", desc.full, id)
end

---------------------------------------------------------------------------
-- Metadata records in parts. A record larger than the sender's MTU comes
-- in several metadata frames, back to back: seq is the byte offset of the
-- part in the record, every part but the last has F_MORE. The parts are
-- joined per source in the first, in-order pass, as tracenetctl's decode.c
-- (meta_part) joins them: a part at byte 0 starts a record, any other part
-- must continue the record being gathered, or that record is dropped. What
-- each part frame was, the joined record included, is kept in state.parts,
-- so that dissecting a frame again shows the same tree.

local HUGE_OFFSET = 2 ^ 40 -- past any record: never the next byte of one

-- The first pass over a part frame: what it was,
--   { offset = seq (UInt64), n = bytes of the record in the frame, pad =
--     bytes after the record's end (padding of a last part), more,
--     index = the part's number in its record, first = frame of the
--     record's first part, restarted, missing, too_big, cut = why a
--     record was dropped here, dropped = frame where the record this part
--     belongs to was dropped, record = the joined bytes and frames = the
--     frames of the parts (last part of a complete record) }
-- src.chain is the record being gathered ({ pieces, len, frames, first });
-- src.dropped, the rest of a record dropped already ({ next, index,
-- frame }): its parts are not reported again, as a gap is reported once.
local function meta_part(ctx, src, tvb, off, stop)
	local number = ctx.pinfo.number
	local more, n = ctx.more, stop - off
	local sent = n + math.max(0, tvb:reported_len() - tvb:len())
	local at = ctx.seq:tonumber()
	local r = { offset = ctx.seq, n = n, pad = 0, more = more }
	local ch = src.chain
	local function drop(where)
		src.chain, src.dropped = nil, nil
		if more and at + sent < HUGE_OFFSET then
			src.dropped = { next = at + sent, index = r.index, frame = where }
		end
	end
	if at == 0 then
		if ch then
			r.restarted = string.format("metadata part at byte 0 restarts the record: the %d bytes "
				.. "gathered since frame %d dropped (its last part missing)", ch.len, ch.first)
		end
		ch = { pieces = {}, len = 0, frames = {}, first = number }
		src.chain, src.dropped = ch, nil
	elseif not ch or at ~= ch.len then
		local d = src.dropped
		if not ch and d and at == d.next then
			r.index = d.index and d.index + 1
			r.dropped = d.frame
			drop(d.frame)
		else
			r.missing = string.format("metadata part at byte %s, %s expected: record dropped",
				tostring(ctx.seq), ch and ("byte " .. ch.len) or "a first part (byte 0)")
			drop(number)
		end
		return r
	end
	r.index = #ch.frames + 1
	r.first = ch.first
	if sent > n then
		r.cut = string.format("metadata part %d cut short by the capture (%d of %d bytes): record dropped",
			r.index, n, sent)
		drop(number)
		return r
	end
	if ch.len + n > MAX_META_PARTS then
		r.too_big = string.format("metadata record in parts over 64 KiB (%d bytes with part %d): dropped",
			ch.len + n, r.index)
		drop(number)
		return r
	end
	if n > 0 then
		ch.pieces[#ch.pieces + 1] = tvb:raw(off, n)
	end
	ch.len = ch.len + n
	ch.frames[#ch.frames + 1] = number
	if more then
		return r
	end
	src.chain = nil
	local rec = table.concat(ch.pieces)
	-- A last part that crossed a real link may be padded to 60 bytes:
	-- the record's own length says where it ends.
	if #rec >= 2 then
		local len = rec:byte(1) * 256 + rec:byte(2)
		if len >= ch.len - n and len < #rec then
			r.pad = #rec - len
			rec = rec:sub(1, len)
		end
	end
	r.record, r.frames = rec, ch.frames
	return r
end

local function part_bytes(offset, n)
	if n == 0 then
		return "no bytes, at " .. tostring(offset)
	end
	return string.format("bytes %s-%s", tostring(offset), tostring(offset + (n - 1)))
end

-- The record the last part completed (never empty: the last part's seq,
-- not 0, is the bytes before it), from its own buffer, shown and learned
-- as the record of a one-part metadata frame is.
local function dissect_reassembled(ctx, src, r)
	local nparts = #r.frames
	local rtvb = ByteArray.new(r.record, true):tvb("Reassembled metadata")
	local rlen = rtvb:len()
	local rt = ctx.root:add(F.reassembled, rtvb(), rlen)
	rt:set_text(string.format("Reassembled metadata record (%d bytes from %d parts)", rlen, nparts))
	for _, f in ipairs(r.frames) do
		rt:add(F.reassembled_frame, rtvb(), f):set_generated()
	end
	local len, err = next_item(rtvb, 0, rlen, META_HDR, "reassembled metadata record", 1, 1, "its parts")
	if not len then
		malformed(ctx, rt, rtvb(), err)
		return
	end
	dissect_meta_record(ctx, src, rtvb, 0, len, 1, rt)
	if len < rlen then
		rt:add(F.padding, rtvb(len, rlen - len))
	end
end

local function dissect_meta_part(ctx, src, tvb, off, stop)
	local number = ctx.pinfo.number
	if not ctx.pinfo.visited then
		state.parts[number] = meta_part(ctx, src, tvb, off, stop)
	end
	local r = state.parts[number] or { offset = ctx.seq, n = stop - off, pad = 0, more = ctx.more }
	local n = r.n - r.pad
	local where = part_bytes(r.offset, n)
	local it = ctx.root:add(F.part, tvb(off, n))
	it:set_text(string.format("Metadata part: %s of a record (%s%s)", where,
		r.index and string.format("part %d, ", r.index) or "", r.more and "more follow" or "the last"))
	it:add(F.part_offset, ctx.seq_range, r.offset):set_generated()
	if r.index then
		it:add(F.part_index, ctx.seq_range, r.index):set_generated()
	end
	if r.first and r.first ~= number then
		it:add(F.part_first, ctx.seq_range, r.first):set_generated()
	end
	if r.dropped then
		it:add(F.part_dropped, ctx.seq_range, r.dropped):set_generated()
	end
	local info = string.format("metadata part%s (%s), %s", r.index and (" " .. r.index) or "",
		where, r.more and "more follow" or "last")
	if r.restarted then
		it:add_proto_expert_info(E.meta_part, r.restarted)
		info = info .. ", restarts the record"
	end
	if r.dropped then
		info = info .. string.format(", of the record dropped in frame %d", r.dropped)
	end
	ctx.info.part = info
	if r.missing then
		it:add_proto_expert_info(E.meta_part, r.missing)
		ctx.info.problems[#ctx.info.problems + 1] = r.missing
	elseif r.too_big then
		it:add_proto_expert_info(E.bad_meta, r.too_big)
		ctx.info.problems[#ctx.info.problems + 1] = r.too_big
	elseif r.cut then
		malformed(ctx, it, tvb(off, n), r.cut)
	end
	if r.record then
		dissect_reassembled(ctx, src, r)
	end
	return off + n
end

local function dissect_meta(ctx, tvb, off, stop)
	local src = source_of(ctx.pinfo)
	if ctx.part then
		return dissect_meta_part(ctx, src, tvb, off, stop)
	end
	for i = 1, ctx.count do
		local len, err = next_item(tvb, off, stop, META_HDR, "metadata record", i, ctx.count)
		if not len then
			malformed(ctx, ctx.root, tvb(off, stop - off), err)
			return stop
		end
		dissect_meta_record(ctx, src, tvb, off, len, i)
		off = off + len
	end
	return off
end

---------------------------------------------------------------------------
-- Host frames: the producer's name, boot id and clocks, as TLVs that
-- follow the header (no records), walked as tracenetctl's wire.c does.

-- The host frame @src's frame @number comes after: the newest that was
-- usable, learned in the first, in-order pass.
local function source_host(src, number)
	for i = #src.hosts, 1, -1 do
		if src.hosts[i].frame <= number then
			return src.hosts[i]
		end
	end
end

-- A name from the wire on one line of text: no control characters.
local function one_line(s)
	return (s:gsub("%c", "?"))
end

local function learn_host(ctx, src, h)
	if ctx.pinfo.visited then
		return
	end
	local last = src.hosts[#src.hosts]
	if not last or last.name ~= h.name or last.boot ~= h.boot then
		src.hosts[#src.hosts + 1] = { frame = ctx.pinfo.number, name = h.name, boot = h.boot }
	end
end

-- The host of an events or metadata frame, from its source's host frames.
local function add_source_host(ctx)
	local h = source_host(source_of(ctx.pinfo), ctx.pinfo.number)
	if h then
		ctx.root:add(F.host, ctx.hdr_range, h.name):set_generated()
	end
end

local function host_clock(ht, r)
	local rt, tai = r:range(0, 8):uint64(), r:range(8, 8):uint64()
	local ct = ht:add(F.host_clock, r)
	ct:add(F.hc_realtime, r:range(0, 8), ts_nstime(rt))
	ct:add(F.hc_tai, r:range(8, 8))
	ct:add(F.hc_monotonic, r:range(16, 8), ts_nstime(r:range(16, 8):uint64()))
	ct:add(F.hc_boottime, r:range(24, 8), ts_nstime(r:range(24, 8):uint64()))
	local d = tai - rt
	local offset = Int64(d:lower(), d:higher())
	local it = ct:add(F.hc_tai_offset, r:range(0, 16), offset)
	it:set_generated()
	it:append_text(string.format(" (%.6f s)", offset:tonumber() / 1e9))
end

-- Cut the @count TLVs; returns them with their values checked (an
-- unusable one has .err), the host, and what stopped the walk, if anything.
local function host_tlvs(ctx, tvb, off, stop)
	local tlvs, h, problem = {}, {}, nil
	for i = 1, ctx.count do
		if stop - off < TLV_HDR then
			problem = string.format("host TLV %d of %d: truncated TLV header (%d bytes left)",
				i, ctx.count, stop - off)
			break
		end
		local typ, len = tvb(off, 2):uint(), tvb(off + 2, 2):uint()
		local need = TLV_HDR + align4(len)
		if need > stop - off then
			problem = string.format("host TLV %d of %d: TLV type %d length %d past the end (%d bytes left)",
				i, ctx.count, typ, len, stop - off - TLV_HDR)
			break
		end
		local t = { typ = typ, len = len, r = tvb(off, need), vr = tvb(off + TLV_HDR, len) }
		if typ == HOST_NAME then
			t.name = meta_string(t.vr)
			if not t.name then
				t.err = "host name not NUL-terminated"
			elseif h.name then
				t.err = "host name given twice"
			else
				h.name = t.name
			end
		elseif typ == HOST_BOOT_ID and len ~= BOOT_ID_LEN then
			t.err = string.format("boot id of %d bytes, not %d", len, BOOT_ID_LEN)
		elseif typ == HOST_BOOT_ID then
			h.boot = h.boot or t.vr:bytes():tohex(true)
		elseif typ == HOST_CLOCK and len ~= HOST_CLOCK_LEN then
			t.err = string.format("clock sample of %d bytes, not %d", len, HOST_CLOCK_LEN)
		end
		tlvs[#tlvs + 1] = t
		off = off + need
	end
	return tlvs, h, problem, off
end

local ELLIPSIS = "\226\128\166" -- U+2026, in UTF-8 (Lua 5.2 has no \u{})
local HOST_TLV_NAMES = { [HOST_NAME] = "Host name", [HOST_BOOT_ID] = "Boot id", [HOST_CLOCK] = "Clocks" }

local function dissect_host(ctx, tvb, off, stop)
	local src = source_of(ctx.pinfo)
	local tlvs, h, problem, p = host_tlvs(ctx, tvb, off, stop)
	local ht = ctx.root:add(F.host, tvb(off, p - off), h.name or "")
	local bad = problem ~= nil
	for _, t in ipairs(tlvs) do
		local it
		if t.typ == HOST_NAME and t.name then
			it = ht:add(F.host_name, t.vr, t.name)
		elseif t.typ == HOST_BOOT_ID and not t.err then
			it = ht:add(F.host_boot_id, t.vr)
		elseif t.typ == HOST_CLOCK and not t.err then
			host_clock(ht, t.vr)
		else
			-- Newer producers may add attributes: shown, not an error.
			-- A known one that is unusable is shown the same way.
			it = ht:add(F.host_unknown, t.r)
			it:append_text(string.format(" (type %d, %d bytes)", t.typ, t.len))
			if t.err then
				it:set_text(string.format("%s (type %d, %d bytes): unusable", HOST_TLV_NAMES[t.typ], t.typ, t.len))
			end
		end
		if t.err then
			malformed(ctx, it, t.r, "host frame: " .. t.err)
			bad = true
		end
	end
	if problem then
		malformed(ctx, ht, tvb(p, stop - p), problem)
	elseif not h.name then
		malformed(ctx, ht, tvb(off, p - off), "host frame without a name")
		bad = true
	end
	local text
	if h.name then
		text = "host: " .. (h.name ~= "" and one_line(h.name) or "?")
		if h.boot then
			text = text .. " (boot " .. h.boot:sub(1, 8) .. ELLIPSIS .. ")"
		end
	else
		text = "host: no name"
	end
	ht:set_text((text:gsub("^host", "Host", 1)))
	ctx.info.host = text
	if not bad then
		learn_host(ctx, src, h)
	end
	return p
end

---------------------------------------------------------------------------
-- The frame

-- Other frame types (the remote-tracing work may add some) can be handed
-- to dissectors registered in this table by type number.
local type_table = DissectorTable.new("tracenet.type", "tracenet frame type", ftypes.UINT8, base.DEC, tn)

local function set_info(pinfo, ctx)
	local i = ctx.info
	local text
	if i.first then
		text = i.first
		if i.events > 1 then
			text = text .. string.format(" (+%d more)", i.events - 1)
		end
	elseif i.part then
		text = i.part
		if i.meta then
			text = text .. "; metadata: " .. table.concat(i.meta, ", ")
		end
	elseif i.meta then
		text = "metadata: " .. table.concat(i.meta, ", ")
	elseif i.host then
		text = i.host
	elseif i.other then
		text = i.other
	elseif i.ftype == FRAME_EVENTS then
		text = "no events"
	elseif i.ftype == FRAME_META then
		text = "metadata: none"
	else
		text = "tracenet"
	end
	if i.lost then
		text = string.format("[%s events lost] ", tostring(i.lost)) .. text
	end
	if #i.problems > 0 then
		text = text .. " [" .. i.problems[1] .. "]"
	end
	pinfo.cols.info:set(text)
end

local function dissect_header(ctx, tvb)
	local root = ctx.root
	root:add(F.version, tvb(0, 1))
	root:add(F.type, tvb(1, 1))
	local fl = root:add(F.flags, tvb(2, 1))
	fl:add(F.flag_be, tvb(2, 1))
	fl:add(F.flag_long64, tvb(2, 1))
	fl:add(F.flag_more, tvb(2, 1))
	fl:add(F.flag_raw, tvb(2, 1))
	root:add(F.hdr_len, tvb(3, 1))
	root:add(F.hdr_cpu, tvb(4, 2))
	root:add(F.count, tvb(6, 2))
	local seq = root:add(F.hdr_seq, tvb(8, 8))
	if ctx.part then
		seq:set_text(string.format("Sequence: %s (metadata part: its byte offset in the record)",
			tostring(ctx.seq)))
	end
end

local function dissect(tvb, pinfo, tree, ctx)
	pinfo.cols.protocol:set("TRACENET")
	local len = tvb:len()
	ctx.root = tree:add(tn, tvb())
	ctx.pinfo = pinfo
	if len < HDR_MIN then
		malformed(ctx, ctx.root, tvb(), string.format("truncated tracenet header (%d of %d bytes)", len, HDR_MIN))
		return
	end
	local version, ftype, flags = tvb(0, 1):uint(), tvb(1, 1):uint(), tvb(2, 1):uint()
	local hdr_len = tvb(3, 1):uint()
	ctx.cpu, ctx.count, ctx.seq = tvb(4, 2):uint(), tvb(6, 2):uint(), tvb(8, 8):uint64()
	ctx.cpu_range, ctx.seq_range, ctx.hdr_range = tvb(4, 2), tvb(8, 8), tvb(0, HDR_MIN)
	ctx.big, ctx.long64, ctx.more = has(flags, F_BIG_ENDIAN), has(flags, F_LONG64), has(flags, F_MORE)
	-- A metadata record in parts: seq 0 and no MORE is a one-part frame.
	ctx.part = version == VERSION and ftype == FRAME_META and (ctx.more or ctx.seq ~= UInt64(0))
	ctx.info.ftype = ftype
	dissect_header(ctx, tvb)
	if ctx.part then
		ctx.root:append_text(string.format(", metadata part, CPU %d, offset %s%s", ctx.cpu,
			tostring(ctx.seq), ctx.more and ", more follow" or ""))
	else
		ctx.root:append_text(string.format(", %s, CPU %d, seq %s, count %d",
			FRAME_TYPES[ftype] or ("type " .. ftype), ctx.cpu, tostring(ctx.seq), ctx.count))
	end
	if version ~= VERSION then
		ctx.root:add_proto_expert_info(E.version, string.format(
			"wire version %d, this dissector knows %d", version, VERSION))
		ctx.info.problems[#ctx.info.problems + 1] = "unsupported wire version " .. version
		return
	end
	if hdr_len < HDR_MIN or hdr_len > len then
		malformed(ctx, ctx.root, tvb(3, 1), string.format("header length %d %s", hdr_len,
			hdr_len < HDR_MIN and "shorter than 16" or ("past the end of the frame (" .. len .. " bytes)")))
		return
	end
	local stop
	if ftype == FRAME_EVENTS then
		add_source_host(ctx)
		stop = dissect_events(ctx, tvb, hdr_len, len)
	elseif ftype == FRAME_META then
		add_source_host(ctx)
		stop = dissect_meta(ctx, tvb, hdr_len, len)
	elseif ftype == FRAME_HOST then
		stop = dissect_host(ctx, tvb, hdr_len, len)
	else
		if type_table:get_dissector(ftype) then
			type_table:try(ftype, tvb(hdr_len):tvb(), pinfo, tree)
		else
			ctx.root:add_proto_expert_info(E.frame_type, "unknown frame type " .. ftype)
			ctx.info.other = "frame type " .. ftype
		end
		return
	end
	-- A frame that crossed a real link may be padded to 60 bytes.
	if stop < len then
		ctx.root:add(F.padding, tvb(stop, len - stop))
	end
end

function tn.dissector(tvb, pinfo, tree)
	local ctx = { info = new_frame_info() }
	local ok, err = pcall(dissect, tvb, pinfo, tree, ctx)
	if not ok then
		-- The last line of defence: our bug, shown as such, never a Lua
		-- error dialog; the frame keeps what was decoded before it.
		local item = ctx.root or tree:add(tn, tvb())
		item:add_proto_expert_info(E.internal, tostring(err))
		ctx.info.problems[#ctx.info.problems + 1] = "dissector error"
	end
	pcall(set_info, pinfo, ctx)
	return tvb:len()
end

DissectorTable.get("ethertype"):add(ETHERTYPE, tn)
DissectorTable.get("udp.port"):add_for_decode_as(tn)

local udp_port = 0
function tn.prefs_changed()
	local udp = DissectorTable.get("udp.port")
	if udp_port ~= 0 then
		udp:remove(udp_port, tn)
	end
	udp_port = tn.prefs.udp_port
	if udp_port ~= 0 then
		udp:add(udp_port, tn)
	end
end

---------------------------------------------------------------------------
-- Statistics: tshark -z tracenet[,FILTER], Statistics > tracenet

local X = {
	event = Field.new("tracenet.event"),
	cpu = Field.new("tracenet.cpu"),
	hdr_cpu = Field.new("tracenet.hdr.cpu"),
	hdr_type = Field.new("tracenet.hdr.type"),
	lost = Field.new("tracenet.lost"),
	unknown = Field.new("tracenet.unknown"),
	malformed = Field.new("tracenet.malformed"),
}

local function new_stats()
	-- Lost counts stay UInt64: a damaged sequence number makes gaps
	-- past what a Lua number holds exactly.
	return { frames = 0, meta = 0, host = 0, malformed = 0, events = 0, unknown = 0, lost = UInt64(0),
		types = {}, cpus = {}, cpu_lost = {}, cpu_gaps = {} }
end

local function all(extractor)
	local out = {}
	for i, fi in ipairs({ extractor() }) do
		out[i] = fi.value
	end
	return out
end

local function count_frame(st)
	local htype = X.hdr_type()
	if htype and htype.value == FRAME_META then
		st.meta = st.meta + 1
	elseif htype and htype.value == FRAME_HOST then
		st.host = st.host + 1
	elseif htype then
		st.frames = st.frames + 1
	end
	if X.malformed() then
		st.malformed = st.malformed + 1
	end
	local hcpu = X.hdr_cpu()
	local lost = X.lost()
	if lost and hcpu then
		local n = lost.value
		local c = hcpu.value
		st.lost = st.lost + n
		st.cpu_lost[c] = (st.cpu_lost[c] or UInt64(0)) + n
		st.cpu_gaps[c] = (st.cpu_gaps[c] or 0) + 1
	end
	-- Each event has one tracenet.cpu; tracenet.event only when its
	-- format is known, tracenet.unknown when not.
	local cpus, events = all(X.cpu), all(X.event)
	local nunknown = #all(X.unknown)
	st.unknown = st.unknown + nunknown
	for _, e in ipairs(events) do
		st.types[e] = (st.types[e] or 0) + 1
	end
	if nunknown > 0 then
		st.types["(unknown id)"] = (st.types["(unknown id)"] or 0) + nunknown
	end
	st.events = st.events + #cpus
	for _, c in ipairs(cpus) do
		st.cpus[c] = (st.cpus[c] or 0) + 1
	end
end

local function sorted_keys(t, by_count)
	local keys = {}
	for k in pairs(t) do
		keys[#keys + 1] = k
	end
	table.sort(keys, function(a, b)
		if by_count and t[a] ~= t[b] then
			return t[a] > t[b]
		end
		return tostring(a) < tostring(b)
	end)
	return keys
end

local function stats_text(st, filter)
	local out = {}
	local function add(fmt, ...)
		out[#out + 1] = string.format(fmt, ...)
	end
	local rule = string.rep("=", 72)
	add("%s", rule)
	add("tracenet statistics")
	add("Filter: %s", filter ~= "" and filter or "none")
	add("Frames: %d event, %d metadata, %d host, %d malformed", st.frames, st.meta, st.host, st.malformed)
	add("Events: %d, unknown id: %d, lost (sequence gaps): %s", st.events, st.unknown, tostring(st.lost))
	add("")
	add("%-48s %10s %8s", "Events per type", "Count", "Percent")
	for _, k in ipairs(sorted_keys(st.types, true)) do
		add("%-48s %10d %7.2f%%", k, st.types[k], st.events > 0 and 100 * st.types[k] / st.events or 0)
	end
	add("")
	add("%-16s %10s %10s %8s", "Events per CPU", "Count", "Lost", "Gaps")
	local cpus = {}
	for c in pairs(st.cpus) do
		cpus[c] = true
	end
	for c in pairs(st.cpu_lost) do
		cpus[c] = true
	end
	local list = {}
	for c in pairs(cpus) do
		list[#list + 1] = c
	end
	table.sort(list)
	for _, c in ipairs(list) do
		add("CPU %-12d %10d %10s %8d", c, st.cpus[c] or 0, tostring(st.cpu_lost[c] or 0), st.cpu_gaps[c] or 0)
	end
	add("%s", rule)
	return table.concat(out, "\n")
end

local function stats_listener(filter, on_draw)
	local f = "tracenet"
	if filter ~= "" then
		f = "tracenet && (" .. filter .. ")"
	end
	local l = Listener.new("frame", f)
	local st = new_stats()
	function l.reset()
		st = new_stats()
	end
	function l.packet()
		count_frame(st)
	end
	function l.draw()
		on_draw(stats_text(st, filter))
	end
	return l
end

register_stat_cmd_arg("tracenet", function(arg)
	local filter = (arg or ""):match("^tracenet,(.*)$") or ""
	stats_listener(filter, function(text)
		print(text)
	end)
end)

if gui_enabled() then
	register_menu("tracenet: Events per Type and CPU", function()
		local tw = TextWindow.new("tracenet statistics")
		local l = stats_listener("", function(text)
			tw:set(text)
		end)
		tw:set_atclose(function()
			l:remove()
		end)
		retap_packets()
	end, MENU_STAT_UNSORTED)
end
