-- .chance: AOS's seeded random numbers. The generator is MT19937 (Matsumoto
-- and Nishimura's 32-bit Mersenne Twister, the sequence std::mt19937 and
-- Python's random.getrandbits(32) give for the same seed); its state is a
-- part of the process's Lua state, so it lives on across slots and replays
-- exactly.
--   seed(n)            restart the sequence from seed n (n & 0xffffffff)
--   random()           the next 32-bit output / 2^32, in [0, 1)
--   integer(min, max)  floor(random() * (max - min + 1) + min), both ends in
-- Unseeded, the sequence starts from MT19937's default seed, 5489.
local chance = {}

local mt_size, mt_shift = 624, 397
local mt_upper, mt_lower = 0x80000000, 0x7fffffff

local function mt_seed(state, seed)
  local mt = {}
  mt[0] = seed & 0xffffffff
  for i = 1, mt_size - 1 do
    local prev = mt[i - 1]
    mt[i] = (1812433253 * (prev ~ (prev >> 30)) + i) & 0xffffffff
  end
  state.mt, state.index = mt, mt_size
end

-- Regenerates all 624 words (the "twist").
local function mt_twist(mt)
  for i = 0, mt_size - 1 do
    local y = (mt[i] & mt_upper) | (mt[(i + 1) % mt_size] & mt_lower)
    local next_word = mt[(i + mt_shift) % mt_size] ~ (y >> 1)
    if y & 1 == 1 then next_word = next_word ~ 0x9908b0df end
    mt[i] = next_word
  end
end

local function mt_next(state)
  if state.mt == nil then mt_seed(state, 5489) end
  if state.index >= mt_size then
    mt_twist(state.mt)
    state.index = 0
  end
  local y = state.mt[state.index]
  state.index = state.index + 1
  y = y ~ (y >> 11)
  y = y ~ ((y << 7) & 0x9d2c5680)
  y = y ~ ((y << 15) & 0xefc60000)
  return y ~ (y >> 18)
end

-- The generator's state lives in the process's Lua state (the VM is the
-- process's memory), so it carries across slots, snapshots and replay.
local chance_state = {}
local function generator() return chance_state end

function chance.seed(seed)
  assert(math.type(seed) == 'integer' or (type(seed) == 'number' and seed == math.floor(seed)),
         'chance.seed: the seed must be an integer')
  mt_seed(generator(), math.tointeger(seed))
end

function chance.random() return mt_next(generator()) * (1.0 / 4294967296.0) end

function chance.integer(min, max)
  assert(max >= min, 'chance.integer: max must not be less than min')
  return math.floor(chance.random() * (max - min + 1) + min)
end

