require 'sinatra'
set :port, 4567
get('/health') { 'ok' }
