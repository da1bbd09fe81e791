-- The crash campaign's process (tests/crash/node_crash_campaign.py): every
-- Ping it receives makes it send itself a Pong, which push@1.0 delivers as
-- a signed assignment of its own. Both counts are state the replay checks.
Pings = Pings or 0
Pongs = Pongs or 0
Handlers.add('Ping', Handlers.utils.hasMatchingTag('Action', 'Ping'), function(msg)
  Pings = Pings + 1
  ao.send({ Target = ao.id, Action = 'Pong', Data = tostring(Pings) })
end)
Handlers.add('Pong', Handlers.utils.hasMatchingTag('Action', 'Pong'), function(msg)
  Pongs = Pongs + 1
end)
