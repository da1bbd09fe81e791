-- .base64: RFC 4648 base64, as AOS's base64 module offers it:
-- `encode(bytes[, encoder])`, `decode(text[, decoder])`, and
-- `makeencoder(c62, c63, pad)` / `makedecoder(c62, c63, pad)` for other
-- alphabets (`makeencoder('-', '_')` is the URL-safe one). Decoding skips
-- characters outside the alphabet, as AOS's does.
local base64 = {}

local letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

function base64.makeencoder(c62, c63, pad)
  local encoder = {}
  for i = 1, 62 do encoder[i - 1] = letters:sub(i, i) end
  encoder[62], encoder[63], encoder[64] = c62 or '+', c63 or '/', pad or '='
  return encoder
end

function base64.makedecoder(c62, c63, pad)
  local decoder = {}
  for i, c in pairs(base64.makeencoder(c62, c63, pad)) do decoder[c:byte()] = i end
  return decoder
end

local default_encoder = base64.makeencoder()
local default_decoder = base64.makedecoder()

function base64.encode(bytes, encoder)
  encoder = encoder or default_encoder
  local out, n = {}, #bytes
  for i = 1, n - 2, 3 do
    local a, b, c = bytes:byte(i, i + 2)
    local v = a << 16 | b << 8 | c
    out[#out + 1] = encoder[v >> 18] .. encoder[v >> 12 & 63] .. encoder[v >> 6 & 63] ..
                    encoder[v & 63]
  end
  local rest = n % 3
  if rest == 2 then
    local a, b = bytes:byte(n - 1, n)
    local v = a << 16 | b << 8
    out[#out + 1] = encoder[v >> 18] .. encoder[v >> 12 & 63] .. encoder[v >> 6 & 63] .. encoder[64]
  elseif rest == 1 then
    local v = bytes:byte(n) << 16
    out[#out + 1] = encoder[v >> 18] .. encoder[v >> 12 & 63] .. encoder[64] .. encoder[64]
  end
  return table.concat(out)
end

function base64.decode(text, decoder)
  decoder = decoder or default_decoder
  local out, acc, bits = {}, 0, 0
  for i = 1, #text do
    local v = decoder[text:byte(i)]
    if v == 64 then break end  -- padding ends the data
    if v ~= nil then
      acc = (acc << 6 | v) & 0xffffff
      bits = bits + 6
      if bits >= 8 then
        bits = bits - 8
        out[#out + 1] = string.char(acc >> bits & 0xff)
      end
    end
  end
  return table.concat(out)
end
