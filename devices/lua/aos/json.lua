local json = {}

do
  local escapes = {
    ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
    ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
  }
  local function encode_string(s)
    return '"' .. s:gsub('[%c"\\]', function(c)
      return escapes[c] or string.format('\\u%04x', c:byte())
    end) .. '"'
  end

  local function is_array(t)
    local n = #t
    if n == 0 then return next(t) == nil end
    for k in pairs(t) do
      if math.type(k) ~= 'integer' or k < 1 or k > n then return false end
    end
    return true
  end

  local encode
  function encode(v, seen)
    local kind = type(v)
    if v == nil or v == json.null then return 'null' end
    if kind == 'boolean' then return tostring(v) end
    if kind == 'number' then
      if math.type(v) == 'integer' then return string.format('%d', v) end
      if v ~= v or v == math.huge or v == -math.huge then
        error('json.encode: ' .. tostring(v) .. ' is not a JSON number')
      end
      if v == math.floor(v) and math.abs(v) < 2^53 then return string.format('%d', v) end
      return string.format('%.14g', v)
    end
    if kind == 'string' then return encode_string(v) end
    if kind ~= 'table' then error('json.encode: cannot encode a ' .. kind) end
    seen = seen or {}
    if seen[v] then error('json.encode: a table contains itself') end
    seen[v] = true
    local parts = {}
    if is_array(v) then
      for i = 1, #v do parts[i] = encode(v[i], seen) end
      seen[v] = nil
      return '[' .. table.concat(parts, ',') .. ']'
    end
    -- Objects: keys in byte order, so the bytes never depend on table order.
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for i, k in ipairs(keys) do
      local value = v[k]
      if value == nil then value = v[tonumber(k)] end
      parts[i] = encode_string(k) .. ':' .. encode(value, seen)
    end
    seen[v] = nil
    return '{' .. table.concat(parts, ',') .. '}'
  end
  json.encode = function(v) return encode(v) end
  json.null = setmetatable({}, { __tostring = function() return 'null' end })

  local function decode_error(s, i, what)
    error(string.format('json.decode: %s at character %d', what, i), 0)
  end
  local function skip(s, i) return s:find('[^ \t\r\n]', i) or #s + 1 end

  local decode_value
  local function decode_string(s, i)
    local out, j = {}, i + 1
    while true do
      local c = s:sub(j, j)
      if c == '' then decode_error(s, i, 'unterminated string') end
      if c == '"' then return table.concat(out), j + 1 end
      if c == '\\' then
        local e = s:sub(j + 1, j + 1)
        local simple = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }
        if simple[e] then
          out[#out + 1] = simple[e]
          j = j + 2
        elseif e == 'u' then
          local hex = s:sub(j + 2, j + 5)
          if not hex:match('^%x%x%x%x$') then decode_error(s, j, 'bad \\u escape') end
          local code = tonumber(hex, 16)
          j = j + 6
          if code >= 0xD800 and code <= 0xDBFF and s:sub(j, j + 1) == '\\u' then
            local low = tonumber(s:sub(j + 2, j + 5), 16)
            if low and low >= 0xDC00 and low <= 0xDFFF then
              code = 0x10000 + (code - 0xD800) * 0x400 + (low - 0xDC00)
              j = j + 6
            end
          end
          out[#out + 1] = utf8.char(code)
        else
          decode_error(s, j, 'bad escape')
        end
      elseif c:byte() < 32 then
        decode_error(s, j, 'control character in string')
      else
        -- Up to the next quote, backslash or control character (below
        -- 0x20: DEL is allowed in JSON strings); always past c itself.
        local k = s:find('["\\\0-\31]', j + 1) or #s + 1
        out[#out + 1] = s:sub(j, k - 1)
        j = k
      end
    end
  end

  function decode_value(s, i, depth)
    if depth > 200 then decode_error(s, i, 'too deeply nested') end
    i = skip(s, i)
    local c = s:sub(i, i)
    if c == '{' then
      local t = {}
      i = skip(s, i + 1)
      if s:sub(i, i) == '}' then return t, i + 1 end
      while true do
        if s:sub(i, i) ~= '"' then decode_error(s, i, 'expected a key') end
        local k
        k, i = decode_string(s, i)
        i = skip(s, i)
        if s:sub(i, i) ~= ':' then decode_error(s, i, "expected ':'") end
        t[k], i = decode_value(s, i + 1, depth + 1)
        i = skip(s, i)
        local d = s:sub(i, i)
        if d == '}' then return t, i + 1 end
        if d ~= ',' then decode_error(s, i, "expected ',' or '}'") end
        i = skip(s, i + 1)
      end
    elseif c == '[' then
      local t = {}
      i = skip(s, i + 1)
      if s:sub(i, i) == ']' then return t, i + 1 end
      while true do
        t[#t + 1], i = decode_value(s, i, depth + 1)
        i = skip(s, i)
        local d = s:sub(i, i)
        if d == ']' then return t, i + 1 end
        if d ~= ',' then decode_error(s, i, "expected ',' or ']'") end
        i = i + 1
      end
    elseif c == '"' then
      return decode_string(s, i)
    elseif s:sub(i, i + 3) == 'true' then
      return true, i + 4
    elseif s:sub(i, i + 4) == 'false' then
      return false, i + 5
    elseif s:sub(i, i + 3) == 'null' then
      return nil, i + 4
    end
    local number = s:match('^-?%d+%.?%d*[eE]?[-+]?%d*', i)
    if number == nil or number == '' then decode_error(s, i, 'unexpected input') end
    local n = math.tointeger(tonumber(number)) or tonumber(number)
    if n == nil then decode_error(s, i, 'bad number') end
    return n, i + #number
  end

  json.decode = function(s)
    if type(s) ~= 'string' then error('json.decode: expected a string, got a ' .. type(s)) end
    local v, i = decode_value(s, 1, 0)
    i = skip(s, i)
    if i <= #s then decode_error(s, i, 'trailing input') end
    return v
  end
end

