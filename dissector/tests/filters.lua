-- SPDX-License-Identifier: GPL-2.0
--
-- Test helper: evaluate many display filters in one tshark run.
--
--   tshark -X lua_script:dissector/tracenet.lua \
--          -X lua_script:dissector/tests/filters.lua \
--          -r CAPTURE -z tnfilter,FILTERS,OUT ...
--
-- FILTERS has one display filter a line; OUT gets "N<TAB>frame numbers"
-- for the Nth, the frames it selects. Each filter is a tap of its own,
-- which Wireshark runs through its display filter engine as -Y would:
-- under TCG one tshark start costs seconds, so the VM test does not start
-- one per filter. The listeners are made from -z, after every script
-- loaded, because the filters name tracenet's fields, which exist only
-- once all scripts are loaded.

register_stat_cmd_arg("tnfilter", function(arg)
	local path, out = arg:match("^tnfilter,([^,]+),(.+)$")
	if not path then
		error("usage: -z tnfilter,FILTERS,OUT")
	end
	local results = {}
	for line in io.lines(path) do
		if line ~= "" then
			local r = { frames = {} }
			results[#results + 1] = r
			-- A filter that does not compile is a result too: "error".
			local ok, l = pcall(Listener.new, "frame", line)
			if ok then
				function l.packet(pinfo)
					r.frames[#r.frames + 1] = pinfo.number
				end
			else
				r.frames = { "error: " .. tostring(l):gsub("%s+", " ") }
			end
		end
	end
	local done = false
	-- One listener writes the file when tshark draws the taps at the end.
	local last = Listener.new("frame")
	function last.draw()
		if done then
			return
		end
		done = true
		local f = assert(io.open(out, "w"))
		for i, r in ipairs(results) do
			f:write(i, "\t", table.concat(r.frames, " "), "\n")
		end
		f:close()
	end
end)
