-- .bint: fixed-width integers, as AOS's bint (lua-bint) behaves.
-- `require('.bint')(bits)` gives the class of `bits`-bit two's-complement
-- signed integers: arithmetic wraps modulo 2^bits; `//` and `%` are floor
-- division and modulo (the signs of Lua's own), `/` is float division, `^`
-- an integer power for a non-negative exponent (else float). Values are
-- 16-bit limbs, least significant first, so every product fits a Lua
-- integer. Operands may be bints, Lua numbers or decimal strings
-- (optionally signed, or 0x/0b prefixed).
local bint_classes = {}

local function bint_class(bits)
  bits = math.tointeger(bits or 256)
  if bint_classes[bits] then return bint_classes[bits] end
  assert(bits and bits >= 64 and bits % 16 == 0, 'bint: bits must be a multiple of 16, at least 64')
  local N = bits // 16
  local MASK = 0xffff
  local bint = { bits = bits }
  bint.__index = bint

  local function new() return setmetatable({}, bint) end
  local function zero() local x = new() for i = 1, N do x[i] = 0 end return x end
  local function copy(a) local x = new() for i = 1, N do x[i] = a[i] end return x end
  local function isbint(x) return getmetatable(x) == bint end
  local function isneg(a) return a[N] & 0x8000 ~= 0 end
  local function iszero(a) for i = 1, N do if a[i] ~= 0 then return false end end return true end

  local function negate(a)
    local x, carry = new(), 1
    for i = 1, N do
      local v = (~a[i] & MASK) + carry
      x[i] = v & MASK
      carry = v >> 16
    end
    return x
  end

  local function frominteger(n)
    local x = new()
    for i = 1, 4 do x[i] = (n >> (16 * (i - 1))) & MASK end
    local fill = n < 0 and MASK or 0
    for i = 5, N do x[i] = fill end
    return x
  end

  local function mul_small_add(x, m, d)  -- x = x * m + d (wrapping), in place
    local carry = d
    for i = 1, N do
      local v = x[i] * m + carry
      x[i] = v & MASK
      carry = v >> 16
    end
  end

  local function fromstring(s)
    if type(s) ~= 'string' then return nil end
    local i, neg = 1, false
    local c = s:sub(1, 1)
    if c == '-' or c == '+' then neg, i = c == '-', 2 end
    local base = 10
    local prefix = s:sub(i, i + 1):lower()
    if prefix == '0x' then base, i = 16, i + 2 elseif prefix == '0b' then base, i = 2, i + 2 end
    if i > #s then return nil end
    local x = zero()
    for k = i, #s do
      local d = tonumber(s:sub(k, k), base)
      if d == nil then return nil end
      mul_small_add(x, base, d)
    end
    return neg and negate(x) or x
  end

  local function fromnumber(n)
    if math.type(n) == 'integer' then return frominteger(n) end
    if type(n) ~= 'number' or n ~= n or n == math.huge or n == -math.huge then return nil end
    n = n < 0 and math.ceil(n) or math.floor(n)  -- towards zero
    local i = math.tointeger(n)
    if i ~= nil then return frominteger(i) end
    return fromstring(string.format('%.0f', n))  -- an integral float prints exactly
  end

  local function tobint(x)
    if isbint(x) then return x end
    local v
    if type(x) == 'string' then v = fromstring(x) else v = fromnumber(x) end
    if v == nil then error('bint: ' .. tostring(x) .. ' is not an integer a bint can hold', 3) end
    return v
  end

  local function ult(a, b)  -- unsigned a < b
    for i = N, 1, -1 do
      if a[i] ~= b[i] then return a[i] < b[i] end
    end
    return false
  end

  -- a + b + carry, or a + ~b + carry (so a - b with carry 1), wrapping.
  local function add_with(a, b, complement, carry)
    local x = new()
    for i = 1, N do
      local v = a[i] + (complement and (~b[i] & MASK) or b[i]) + carry
      x[i] = v & MASK
      carry = v >> 16
    end
    return x
  end
  local function add(a, b) return add_with(a, b, false, 0) end
  local function sub(a, b) return add_with(a, b, true, 1) end

  local function mul(a, b)
    local x = zero()
    for i = 1, N do
      local ai = a[i]
      if ai ~= 0 then
        local carry = 0
        for j = 1, N - i + 1 do
          local k = i + j - 1
          local v = ai * b[j] + x[k] + carry
          x[k] = v & MASK
          carry = v >> 16
        end
      end
    end
    return x
  end

  -- Unsigned division: quotient and remainder (b not zero).
  local function udivmod(a, b)
    local q, r = zero(), zero()
    for bit = bits - 1, 0, -1 do
      -- r = r * 2 + (bit of a)
      local carry = (a[bit // 16 + 1] >> (bit % 16)) & 1
      for i = 1, N do
        local v = (r[i] << 1) | carry
        r[i] = v & MASK
        carry = v >> 16
      end
      if not ult(r, b) then
        r = sub(r, b)
        q[bit // 16 + 1] = q[bit // 16 + 1] | (1 << (bit % 16))
      end
    end
    return q, r
  end

  -- Unsigned division by a small number d (1 to 65535), in a copy.
  local function udivmod_small(a, d)
    local q, rem = new(), 0
    for i = N, 1, -1 do
      local v = (rem << 16) | a[i]
      q[i] = v // d
      rem = v % d
    end
    return q, rem
  end

  local function floordivmod(a, b)
    if iszero(b) then error('attempt to perform bint division by zero', 3) end
    local na, nb = isneg(a), isneg(b)
    local q, r = udivmod(na and negate(a) or a, nb and negate(b) or b)
    if na ~= nb then
      q = negate(q)
      if not iszero(r) then q = sub(q, frominteger(1)) end
    end
    return q, sub(a, mul(q, b))  -- the floor remainder: a - q * b
  end

  local function tostring_of(a)
    local neg = isneg(a)
    local x = neg and negate(a) or a
    if iszero(x) then return '0' end
    local parts = {}
    while not iszero(x) do
      local rem
      x, rem = udivmod_small(x, 10000)
      parts[#parts + 1] = rem
    end
    local out = { tostring(parts[#parts]) }
    for k = #parts - 1, 1, -1 do out[#out + 1] = string.format('%04d', parts[k]) end
    return (neg and '-' or '') .. table.concat(out)
  end

  local function tonumber_of(a)
    local fill = isneg(a) and MASK or 0
    local fits = true
    for i = 5, N do if a[i] ~= fill then fits = false break end end
    if fits and ((a[4] & 0x8000 ~= 0) == (fill ~= 0)) then
      return a[1] | (a[2] << 16) | (a[3] << 32) | (a[4] << 48)
    end
    local neg = isneg(a)
    local x = neg and negate(a) or a
    local f = 0.0
    for i = N, 1, -1 do f = f * 65536.0 + x[i] end
    return neg and -f or f
  end

  function bint.new(x) return copy(tobint(x)) end
  function bint.frominteger(n) return math.type(n) == 'integer' and frominteger(n) or nil end
  bint.fromstring = fromstring
  bint.fromnumber = fromnumber
  bint.tobint = function(x) return isbint(x) and x or (type(x) == 'string' and fromstring(x) or fromnumber(x)) end
  bint.isbint = isbint
  function bint.zero() return zero() end
  function bint.one() return frominteger(1) end
  function bint.maxinteger() local x = zero() for i = 1, N do x[i] = MASK end x[N] = 0x7fff return x end
  function bint.mininteger() local x = zero() x[N] = 0x8000 return x end
  function bint.iszero(x) return iszero(tobint(x)) end
  function bint.isneg(x) return isneg(tobint(x)) end
  function bint.abs(x) x = tobint(x) return isneg(x) and negate(x) or copy(x) end
  function bint.tonumber(x) return tonumber_of(tobint(x)) end
  function bint.tointeger(x)
    local n = tonumber_of(tobint(x))
    return math.type(n) == 'integer' and n or nil
  end
  function bint.tostring(x) return tostring_of(tobint(x)) end
  function bint.eq(a, b) a, b = tobint(a), tobint(b) for i = 1, N do if a[i] ~= b[i] then return false end end return true end
  function bint.ipow(x, y)
    x, y = tobint(x), tobint(y)
    if isneg(y) then error('bint.ipow: the exponent is negative', 2) end
    local result, base = frominteger(1), copy(x)
    for bit = 0, bits - 1 do
      if (y[bit // 16 + 1] >> (bit % 16)) & 1 == 1 then result = mul(result, base) end
      base = mul(base, base)
    end
    return result
  end
  function bint.divmod(a, b) return floordivmod(tobint(a), tobint(b)) end

  bint.__add = function(a, b) return add(tobint(a), tobint(b)) end
  bint.__sub = function(a, b) return sub(tobint(a), tobint(b)) end
  bint.__mul = function(a, b) return mul(tobint(a), tobint(b)) end
  bint.__idiv = function(a, b) return (floordivmod(tobint(a), tobint(b))) end
  bint.__mod = function(a, b) local _, r = floordivmod(tobint(a), tobint(b)) return r end
  bint.__div = function(a, b) return tonumber_of(tobint(a)) / tonumber_of(tobint(b)) end
  bint.__pow = function(a, b)
    local y = tobint(b)
    if not isneg(y) then return bint.ipow(a, y) end
    return tonumber_of(tobint(a)) ^ tonumber_of(y)
  end
  bint.__unm = function(a) return negate(tobint(a)) end
  bint.__eq = function(a, b) return bint.eq(a, b) end
  bint.__lt = function(a, b)
    a, b = tobint(a), tobint(b)
    local na, nb = isneg(a), isneg(b)
    if na ~= nb then return na end
    return ult(a, b)
  end
  bint.__le = function(a, b) return not bint.__lt(b, a) end
  bint.__tostring = function(a) return tostring_of(a) end

  setmetatable(bint, { __call = function(_, x) return bint.new(x) end })
  bint_classes[bits] = bint
  return bint
end

local bint = setmetatable({}, { __call = function(_, bits) return bint_class(bits) end })
